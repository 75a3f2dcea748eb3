/// An extended attribute's name: 1 to 255 bytes, no NUL. Which namespaces a brick accepts
/// (`user.`, `trusted.` …) is the main store's policy, not the codec's.
public struct XattrName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(validating bytes: some Collection<UInt8>) throws(JBRError) {
        let bytes = Array(bytes)
        if let problem = XattrName.problem(with: bytes) { throw problem }
        self.bytes = bytes
    }

    public init(_ string: String) throws(JBRError) { try self.init(validating: string.utf8) }

    public static func problem(with bytes: [UInt8]) -> JBRError? {
        if bytes.isEmpty { return JBRError(.EINVAL, "empty xattr name") }
        if bytes.count > CodecLimits.maxXattrNameBytes {
            return JBRError(.ERANGE, "xattr name of \(bytes.count) bytes (at most \(CodecLimits.maxXattrNameBytes))")
        }
        if bytes.contains(0) { return JBRError(.EINVAL, "xattr name contains NUL") }
        return nil
    }

    public static func < (a: XattrName, b: XattrName) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
    public var description: String { PrintableBytes.render(bytes) }
}

/// An extended attribute's value: any bytes, at most 64 KiB (XATTR_SIZE_MAX).
public struct XattrValue: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(validating bytes: some Collection<UInt8>) throws(JBRError) {
        let bytes = Array(bytes)
        guard bytes.count <= CodecLimits.maxXattrValueBytes else {
            throw JBRError(.E2BIG, "xattr value of \(bytes.count) bytes (at most \(CodecLimits.maxXattrValueBytes))")
        }
        self.bytes = bytes
    }
}

/// What a symlink points at: 1 to 4095 bytes, no NUL. Stored verbatim and never followed by a
/// brick; it may name anything, including paths outside the volume.
public struct SymlinkTarget: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(validating bytes: some Collection<UInt8>) throws(JBRError) {
        let bytes = Array(bytes)
        if let problem = SymlinkTarget.problem(with: bytes) { throw problem }
        self.bytes = bytes
    }

    public init(_ string: String) throws(JBRError) { try self.init(validating: string.utf8) }

    public static func problem(with bytes: [UInt8]) -> JBRError? {
        if bytes.isEmpty { return JBRError(.ENOENT, "empty symlink target") }
        if bytes.count > CodecLimits.maxSymlinkTargetBytes {
            return JBRError(.ENAMETOOLONG, "symlink target of \(bytes.count) bytes (at most \(CodecLimits.maxSymlinkTargetBytes))")
        }
        if bytes.contains(0) { return JBRError(.EINVAL, "symlink target contains NUL") }
        return nil
    }

    public var description: String { PrintableBytes.render(bytes) }
}
