/// Why untrusted bytes could not be decoded. Decoding never traps on bad input: every malformed
/// frame, record or field ends here, with the offset where it went wrong.
public struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The input ended before a field did.
        case truncated(field: String, needed: Int, available: Int)
        /// An enum tag that this format version does not define.
        case unknownTag(type: String, tag: UInt64)
        /// A length or count above the limit the format allows.
        case overLimit(field: String, value: Int, limit: Int)
        /// A field whose bytes are well formed but whose value is not allowed.
        case invalidValue(field: String, detail: String)
        /// A format version this build does not read.
        case unsupportedVersion(found: UInt8, supported: UInt8)
        /// Bytes left over after a complete value.
        case trailingBytes(count: Int)
    }

    public var reason: Reason
    /// The reader index in the buffer when decoding failed.
    public var offset: Int

    public init(_ reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case let .truncated(field, needed, available):
            return "truncated \(field) at byte \(offset): needs \(needed) bytes, \(available) left"
        case let .unknownTag(type, tag):
            return "unknown \(type) tag \(tag) at byte \(offset)"
        case let .overLimit(field, value, limit):
            return "\(field) of \(value) at byte \(offset) is over the limit of \(limit)"
        case let .invalidValue(field, detail):
            return "invalid \(field) at byte \(offset): \(detail)"
        case let .unsupportedVersion(found, supported):
            return "format version \(found) is not supported (this build reads version \(supported))"
        case let .trailingBytes(count):
            return "\(count) unexpected bytes after the value at byte \(offset)"
        }
    }
}
