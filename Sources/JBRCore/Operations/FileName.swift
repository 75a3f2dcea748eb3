/// One component of a path, as it arrives from the wire: 1 to 255 bytes, no `/`, no NUL, and
/// neither `.` nor `..` (architecture rule 5).
///
/// Bytes, not `String`: POSIX names need not be UTF-8, and Swift compares strings by canonical
/// equivalence, which would make two different on-disk names equal.
public struct FileName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Validates `bytes`. Throws `ENAMETOOLONG` over 255 bytes and `EINVAL` for an empty name,
    /// `.`, `..`, or one containing `/` or NUL.
    public init(validating bytes: some Collection<UInt8>) throws(JBRError) {
        let bytes = Array(bytes)
        if let problem = FileName.problem(with: bytes) { throw problem }
        self.bytes = bytes
    }

    public init(_ string: String) throws(JBRError) {
        try self.init(validating: string.utf8)
    }

    /// Why `bytes` is not a valid name, or nil if it is.
    public static func problem(with bytes: [UInt8]) -> JBRError? {
        if bytes.isEmpty { return JBRError(.EINVAL, "empty name") }
        if bytes.count > CodecLimits.maxNameBytes {
            return JBRError(.ENAMETOOLONG, "name of \(bytes.count) bytes (at most \(CodecLimits.maxNameBytes))")
        }
        if bytes == [0x2E] || bytes == [0x2E, 0x2E] { return JBRError(.EINVAL, "name '\(String(decoding: bytes, as: UTF8.self))' is reserved") }
        if bytes.contains(0x2F) { return JBRError(.EINVAL, "name contains '/'") }
        if bytes.contains(0) { return JBRError(.EINVAL, "name contains NUL") }
        return nil
    }

    public static func < (a: FileName, b: FileName) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Printable form: valid UTF-8 as is, other bytes as `\xNN`.
    public var description: String { PrintableBytes.render(bytes) }
}

/// Renders byte strings for logs and error details without emitting control characters.
enum PrintableBytes {
    static func render(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return text
        }
        return bytes.map { byte in
            (0x20..<0x7F).contains(byte) && byte != 0x5C
                ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }
}

