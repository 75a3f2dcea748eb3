/// The store's format file, `.jbr/store/format`: written last when a store is created, so its
/// presence means the store is complete.
enum StoreFormat {
    static let fileName = Array("format".utf8)
    static let version = 1

    static func encode(_ namespace: IdentityNamespace) -> [UInt8] {
        Array("jbr main store\nversion \(version)\ngfid-xattr \(namespace.rawValue)\n".utf8)
    }

    /// The namespace recorded in `bytes`, or nil if they are not a format file this build reads.
    static func decode(_ bytes: [UInt8]) -> IdentityNamespace? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[0] == "jbr main store", lines[1] == "version \(version)", lines[3].isEmpty,
            lines[2].hasPrefix("gfid-xattr ")
        else { return nil }
        return IdentityNamespace(rawValue: String(lines[2].dropFirst("gfid-xattr ".count)))
    }
}
