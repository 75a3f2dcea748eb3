import JBRCore

/// Names and contents of the GFID index under `.jbr/gfid/`, laid out as GlusterFS lays out
/// `.glusterfs/`: the handle of GFID `abcdxxxx-…` is `ab/cd/abcdxxxx-…`.
///
/// A regular file, symlink, FIFO or socket's handle is a hard link to the object. A
/// directory's handle is a symlink to `../../xy/zw/<parent GFID>/<name>`: relative to the
/// parent's handle, so renaming an ancestor leaves it valid; only the directory's own rename
/// rewrites it. The store never lets the kernel follow it: `parseDirectoryTarget` takes it
/// apart and the resolver walks the chain itself.
enum HandlePath {
    /// The two bucket directory names for `gfid`: its first and second bytes in hex.
    static func buckets(_ gfid: GFID) -> (first: [UInt8], second: [UInt8]) {
        let text = Array(gfid.description.utf8)
        return (Array(text[0..<2]), Array(text[2..<4]))
    }

    /// The handle's own name: the GFID in canonical form.
    static func name(_ gfid: GFID) -> [UInt8] { Array(gfid.description.utf8) }

    /// The GFID a handle name stands for, or nil if `name` is not a canonical GFID.
    static func gfid(named name: [UInt8]) -> GFID? {
        guard let gfid = GFID(parsing: String(decoding: name, as: UTF8.self)), HandlePath.name(gfid) == name else { return nil }
        return gfid
    }

    /// The symlink target of the handle of a directory named `name` in `parent`.
    static func directoryTarget(parent: GFID, name: FileName) -> [UInt8] {
        let (first, second) = buckets(parent)
        return Array("../../".utf8) + first + [slash] + second + [slash] + HandlePath.name(parent) + [slash] + name.bytes
    }

    /// Takes a directory handle's target apart. Nil unless it is exactly
    /// `../../xy/zw/<parent GFID>/<name>` with `xy/zw` the parent's buckets and `name` a valid
    /// file name: anything else (an absolute path, extra `..`, a tampered bucket) is refused.
    static func parseDirectoryTarget(_ target: [UInt8]) -> (parent: GFID, name: FileName)? {
        let prefix = Array("../../".utf8)
        let gfidLength = 36
        let fixedLength = prefix.count + 3 + 3 + gfidLength + 1
        guard target.count > fixedLength, target.starts(with: prefix) else { return nil }
        let rest = Array(target[prefix.count...])
        guard rest[2] == slash, rest[5] == slash, rest[6 + gfidLength] == slash else { return nil }
        guard let parent = gfid(named: Array(rest[6..<(6 + gfidLength)])) else { return nil }
        let (first, second) = buckets(parent)
        guard Array(rest[0..<2]) == first, Array(rest[3..<5]) == second else { return nil }
        guard let name = try? FileName(validating: rest[(7 + gfidLength)...]) else { return nil }
        return (parent, name)
    }

    private static let slash = UInt8(ascii: "/")
}
