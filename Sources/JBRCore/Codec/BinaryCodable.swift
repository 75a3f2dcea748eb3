import NIOCore

/// A value with one explicit binary layout: little-endian fixed-width integers, length-prefixed
/// bytes, explicit numeric tags for enum cases (never the declaration order).
///
/// `encode(to:)` and `init(from:)` write and read the value without a version; `BinaryCodec`
/// adds the format version around a top-level value. Golden byte strings in the tests freeze the
/// layout, so an accidental change fails a test.
public protocol BinaryEncodable {
    func encode(to buffer: inout ByteBuffer)
}

public protocol BinaryDecodable {
    /// Reads one value from the buffer's reader index. Throws `DecodingError` on any malformed
    /// input; never traps.
    init(from buffer: inout ByteBuffer) throws(DecodingError)
}

public typealias BinaryCodable = BinaryEncodable & BinaryDecodable

/// Top-level encoding: one format-version byte, then the value, nothing after it.
public enum BinaryCodec {
    /// The layout version of every value in this module. Bump it, and keep reading the old one,
    /// when a layout changes.
    public static let formatVersion: UInt8 = 1

    public static func encode(_ value: some BinaryEncodable, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeInteger(formatVersion)
        value.encode(to: &buffer)
        return buffer
    }

    public static func decode<Value: BinaryDecodable>(_ type: Value.Type, from bytes: ByteBuffer) throws(DecodingError) -> Value {
        var buffer = bytes
        let version = try buffer.readLittleEndian(UInt8.self, field: "format version")
        guard version == formatVersion else {
            throw DecodingError(.unsupportedVersion(found: version, supported: formatVersion), offset: 0)
        }
        let value = try Value(from: &buffer)
        try buffer.expectFullyRead()
        return value
    }
}
