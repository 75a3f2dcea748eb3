import JBRCore

/// Which extended attributes users may see and change.
///
/// The store keeps its own identity in `trusted.gfid` or `user.jbr.gfid`, and reserves
/// `trusted.jbr.*` and `user.jbr.*` for itself: users never see them (getxattr says ENODATA,
/// listxattr leaves them out) and may not set or remove them (EPERM), so no client can change
/// what GFID an object has. Namespaces other than user, trusted, security and the POSIX ACLs are
/// not supported (EOPNOTSUPP).
enum XattrPolicy {
    static let reservedNames: Set<[UInt8]> = [Array("trusted.gfid".utf8)]
    static let reservedPrefixes: [[UInt8]] = [Array("trusted.jbr.".utf8), Array("user.jbr.".utf8)]
    static let userPrefixes: [[UInt8]] = [Array("user.".utf8), Array("trusted.".utf8), Array("security.".utf8)]
    static let userNames: Set<[UInt8]> = [Array("system.posix_acl_access".utf8), Array("system.posix_acl_default".utf8)]

    /// Whether the name belongs to the store and is hidden from users.
    static func isReserved(_ name: [UInt8]) -> Bool {
        reservedNames.contains(name) || reservedPrefixes.contains { name.starts(with: $0) }
    }

    /// Why a user may not set or remove `name`, or nil if they may.
    static func refusalToChange(_ name: XattrName) -> JBRError? {
        if isReserved(name.bytes) { return JBRError(.EPERM, "xattr \(name) is reserved for the brick") }
        if userNames.contains(name.bytes) || userPrefixes.contains(where: { name.bytes.starts(with: $0) }) { return nil }
        return JBRError(.EOPNOTSUPP, "xattr namespace of \(name) is not supported")
    }
}
