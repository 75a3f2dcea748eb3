import NIOCore

// Layouts of the value types operations are made of. Validated types are validated again on
// decode, so no invalid name, target or size ever leaves the codec.

extension FileName: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(UInt8(bytes.count))
        buffer.writeBytes(bytes)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        let count = Int(try buffer.readLittleEndian(UInt8.self, field: "name length"))
        let bytes = try buffer.readFixedBytes(count, field: "name")
        if let problem = FileName.problem(with: bytes) {
            throw DecodingError(.invalidValue(field: "name", detail: problem.detail), offset: offset)
        }
        self.bytes = bytes
    }
}

extension XattrName: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(UInt8(bytes.count))
        buffer.writeBytes(bytes)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        let count = Int(try buffer.readLittleEndian(UInt8.self, field: "xattr name length"))
        let bytes = try buffer.readFixedBytes(count, field: "xattr name")
        if let problem = XattrName.problem(with: bytes) {
            throw DecodingError(.invalidValue(field: "xattr name", detail: problem.detail), offset: offset)
        }
        self.bytes = bytes
    }
}

extension XattrValue: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { buffer.writeLengthPrefixed(bytes) }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.bytes = try buffer.readLengthPrefixedBytes(limit: CodecLimits.maxXattrValueBytes, field: "xattr value")
    }
}

extension SymlinkTarget: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(UInt16(bytes.count))
        buffer.writeBytes(bytes)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        let count = Int(try buffer.readLittleEndian(UInt16.self, field: "symlink target length"))
        guard count <= CodecLimits.maxSymlinkTargetBytes else {
            throw DecodingError(.overLimit(field: "symlink target", value: count, limit: CodecLimits.maxSymlinkTargetBytes), offset: offset)
        }
        let bytes = try buffer.readFixedBytes(count, field: "symlink target")
        if let problem = SymlinkTarget.problem(with: bytes) {
            throw DecodingError(.invalidValue(field: "symlink target", detail: problem.detail), offset: offset)
        }
        self.bytes = bytes
    }
}

extension EntryLocation: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(parent)
        buffer.write(name)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(parent: try GFID(from: &buffer), name: try FileName(from: &buffer))
    }
}

extension Timestamp: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(seconds)
        buffer.writeLittleEndian(nanoseconds)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let seconds = try buffer.readLittleEndian(Int64.self, field: "seconds")
        let offset = buffer.readerIndex
        let nanoseconds = try buffer.readLittleEndian(UInt32.self, field: "nanoseconds")
        guard nanoseconds < 1_000_000_000 else {
            throw DecodingError(.invalidValue(field: "nanoseconds", detail: "\(nanoseconds) is not below 10^9"), offset: offset)
        }
        self.init(seconds: seconds, nanoseconds: nanoseconds)
    }
}

extension Owner: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(uid)
        buffer.writeLittleEndian(gid)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(uid: try buffer.readLittleEndian(UInt32.self, field: "uid"), gid: try buffer.readLittleEndian(UInt32.self, field: "gid"))
    }
}

extension ByteBuffer {
    /// Reads a one-byte raw value of a closed enum; unknown values are refused.
    mutating func readEnum<Value: RawRepresentable>(_ type: Value.Type, field: String) throws(DecodingError) -> Value where Value.RawValue == UInt8 {
        let offset = readerIndex
        let raw = try readLittleEndian(UInt8.self, field: field)
        guard let value = Value(rawValue: raw) else {
            throw DecodingError(.unknownTag(type: field, tag: UInt64(raw)), offset: offset)
        }
        return value
    }

    /// Reads permission bits (mode & 0o7777); type bits are refused.
    mutating func readPermissions() throws(DecodingError) -> UInt16 {
        let offset = readerIndex
        let permissions = try readLittleEndian(UInt16.self, field: "permissions")
        guard permissions <= 0o7777 else {
            throw DecodingError(.invalidValue(field: "permissions", detail: "0o\(String(permissions, radix: 8)) has bits above 0o7777"), offset: offset)
        }
        return permissions
    }
}
