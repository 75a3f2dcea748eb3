import NIOCore

/// The primitives every layout is built from. Writers cannot fail; readers throw `DecodingError`
/// with the field name, so a bad frame says which field was wrong.
extension ByteBuffer {
    // MARK: Integers

    @inlinable
    public mutating func writeLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        writeInteger(value, endianness: .little)
    }

    @inlinable
    public mutating func readLittleEndian<Integer: FixedWidthInteger>(_ type: Integer.Type, field: String) throws(DecodingError) -> Integer {
        guard let value = readInteger(endianness: .little, as: type) else {
            throw DecodingError(.truncated(field: field, needed: MemoryLayout<Integer>.size, available: readableBytes), offset: readerIndex)
        }
        return value
    }

    public mutating func writeBool(_ value: Bool) {
        writeInteger(value ? 1 : 0 as UInt8)
    }

    /// Only 0 and 1 are booleans; anything else is refused so every value has one encoding.
    public mutating func readBool(field: String) throws(DecodingError) -> Bool {
        let offset = readerIndex
        switch try readLittleEndian(UInt8.self, field: field) {
        case 0: return false
        case 1: return true
        case let other: throw DecodingError(.invalidValue(field: field, detail: "boolean byte \(other)"), offset: offset)
        }
    }

    // MARK: Byte strings

    /// Writes a u32 length, then the bytes.
    public mutating func writeLengthPrefixed(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count <= UInt32.max, "byte string of \(bytes.count) bytes does not fit a u32 length")
        writeLittleEndian(UInt32(bytes.count))
        writeBytes(bytes)
    }

    /// Writes a u32 length, then the readable bytes of `other`.
    public mutating func writeLengthPrefixed(buffer other: ByteBuffer) {
        precondition(other.readableBytes <= UInt32.max)
        writeLittleEndian(UInt32(other.readableBytes))
        writeImmutableBuffer(other)
    }

    /// Reads a u32 length (at most `limit`), then that many bytes as a slice of this buffer
    /// (no copy).
    public mutating func readLengthPrefixedBuffer(limit: Int, field: String) throws(DecodingError) -> ByteBuffer {
        let length = try readLength(limit: limit, field: field)
        guard let slice = readSlice(length: length) else {
            throw DecodingError(.truncated(field: field, needed: length, available: readableBytes), offset: readerIndex)
        }
        return slice
    }

    /// Reads a u32 length (at most `limit`), then that many bytes.
    public mutating func readLengthPrefixedBytes(limit: Int, field: String) throws(DecodingError) -> [UInt8] {
        let length = try readLength(limit: limit, field: field)
        guard let bytes = readBytes(length: length) else {
            throw DecodingError(.truncated(field: field, needed: length, available: readableBytes), offset: readerIndex)
        }
        return bytes
    }

    /// Writes a UTF-8 string with a u32 length.
    public mutating func writeLengthPrefixed(string: String) {
        writeLengthPrefixed(Array(string.utf8))
    }

    /// Reads a UTF-8 string; malformed UTF-8 is refused rather than repaired, so the value
    /// re-encodes to the same bytes.
    public mutating func readLengthPrefixedString(limit: Int, field: String) throws(DecodingError) -> String {
        let offset = readerIndex
        let bytes = try readLengthPrefixedBytes(limit: limit, field: field)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw DecodingError(.invalidValue(field: field, detail: "not valid UTF-8"), offset: offset)
        }
        return string
    }

    // MARK: Fixed-size byte runs

    public mutating func readFixedBytes(_ count: Int, field: String) throws(DecodingError) -> [UInt8] {
        guard let bytes = readBytes(length: count) else {
            throw DecodingError(.truncated(field: field, needed: count, available: readableBytes), offset: readerIndex)
        }
        return bytes
    }

    // MARK: Counts, optionals, arrays

    /// Reads a u32 count or length and checks it against `limit` before anything is allocated.
    public mutating func readLength(limit: Int, field: String) throws(DecodingError) -> Int {
        let offset = readerIndex
        let length = Int(try readLittleEndian(UInt32.self, field: "\(field) length"))
        guard length <= limit else {
            throw DecodingError(.overLimit(field: field, value: length, limit: limit), offset: offset)
        }
        return length
    }

    public mutating func writeOptional<Value>(_ value: Value?, _ write: (inout ByteBuffer, Value) -> Void) {
        if let value {
            writeBool(true)
            write(&self, value)
        } else {
            writeBool(false)
        }
    }

    public mutating func readOptional<Value>(field: String, _ read: (inout ByteBuffer) throws(DecodingError) -> Value) throws(DecodingError) -> Value? {
        try readBool(field: "\(field) presence") ? try read(&self) : nil
    }

    public mutating func writeArray<Element>(_ elements: [Element], _ write: (inout ByteBuffer, Element) -> Void) {
        precondition(elements.count <= UInt32.max)
        writeLittleEndian(UInt32(elements.count))
        for element in elements { write(&self, element) }
    }

    public mutating func readArray<Element>(limit: Int, field: String, _ read: (inout ByteBuffer) throws(DecodingError) -> Element) throws(DecodingError) -> [Element] {
        let count = try readLength(limit: limit, field: field)
        var elements: [Element] = []
        // Reserve no more than the bytes left could hold: a hostile count cannot allocate much.
        elements.reserveCapacity(Swift.min(count, readableBytes))
        for _ in 0..<count { elements.append(try read(&self)) }
        return elements
    }

    // MARK: Whole values

    public mutating func write(_ value: some BinaryEncodable) {
        value.encode(to: &self)
    }

    public mutating func read<Value: BinaryDecodable>(_ type: Value.Type) throws(DecodingError) -> Value {
        try Value(from: &self)
    }

    /// Throws if any bytes are left: a complete value must use its whole buffer.
    public func expectFullyRead() throws(DecodingError) {
        guard readableBytes == 0 else {
            throw DecodingError(.trailingBytes(count: readableBytes), offset: readerIndex)
        }
    }
}
