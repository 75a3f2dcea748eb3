import NIOCore

// Layouts of the identity types: fixed width, little-endian integers, UUIDs as their 16 bytes
// in printed order.

extension UUID128 {
    package func encode(to buffer: inout ByteBuffer) {
        buffer.writeInteger(high, endianness: .big)
        buffer.writeInteger(low, endianness: .big)
    }

    package init(from buffer: inout ByteBuffer, field: String) throws(DecodingError) {
        guard let high = buffer.readInteger(endianness: .big, as: UInt64.self),
            let low = buffer.readInteger(endianness: .big, as: UInt64.self)
        else {
            throw DecodingError(.truncated(field: field, needed: 16, available: buffer.readableBytes), offset: buffer.readerIndex)
        }
        self.init(high: high, low: low)
    }
}

extension Term: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { buffer.writeLittleEndian(rawValue) }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(try buffer.readLittleEndian(UInt64.self, field: "term"))
    }
}

extension JournalIndex: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { buffer.writeLittleEndian(rawValue) }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(try buffer.readLittleEndian(UInt64.self, field: "journal index"))
    }
}

extension LogPosition: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        term.encode(to: &buffer)
        index.encode(to: &buffer)
    }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(term: try Term(from: &buffer), index: try JournalIndex(from: &buffer))
    }
}

extension ReplicaID: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { buffer.writeLittleEndian(rawValue) }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(try buffer.readLittleEndian(UInt32.self, field: "replica id"))
    }
}

extension VolumeID: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { uuid.encode(to: &buffer) }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(try UUID128(from: &buffer, field: "volume id"))
    }
}

extension GFID: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { uuid.encode(to: &buffer) }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(try UUID128(from: &buffer, field: "gfid"))
    }
}

extension ClientID: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { uuid.encode(to: &buffer) }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(try UUID128(from: &buffer, field: "client id"))
    }
}

extension RequestID: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        client.encode(to: &buffer)
        buffer.writeLittleEndian(sequence)
    }
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(client: try ClientID(from: &buffer), sequence: try buffer.readLittleEndian(UInt64.self, field: "request sequence"))
    }
}
