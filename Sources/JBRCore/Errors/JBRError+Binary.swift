import NIOCore

extension JBRError: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(code.rawValue)
        buffer.writeOptional(leaderHint) { $0.write($1) }
        buffer.writeOptional(term) { $0.write($1) }
        buffer.writeLengthPrefixed(string: detail)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let code = Code(rawValue: try buffer.readLittleEndian(UInt16.self, field: "error code"))
        let leaderHint = try buffer.readOptional(field: "leader hint") { buffer throws(DecodingError) in try ReplicaID(from: &buffer) }
        let term = try buffer.readOptional(field: "error term") { buffer throws(DecodingError) in try Term(from: &buffer) }
        let detail = try buffer.readLengthPrefixedString(limit: JBRError.maxDetailBytes, field: "error detail")
        self.init(code, detail, leaderHint: leaderHint, term: term)
    }
}
