import JBRCore

/// Names and contents of the GFID index under `.jbr/gfid/`, laid out as GlusterFS lays out
/// `.glusterfs/`: the handle of GFID `abcdxxxx-…` is `ab/cd/abcdxxxx-…`.
///
/// A regular file, symlink, FIFO or socket's handle is a hard link to the object. A
/// directory's handle is a symlink to `../../xy/zw/<parent GFID>/<name>`: relative to the
/// parent's handle, so renaming an ancestor leaves it valid; only the directory's own rename
/// rewrites it. The store never lets the kernel follow it: `parseDirectoryTarget` takes it
/// apart and the resolver walks the chain itself.
///
/// Everything here works on bytes, not strings: nearly every store operation resolves a GFID
/// through these names.
enum HandlePath {
    /// The two bucket directory names for `gfid`: its first and second bytes in hex.
    static func buckets(_ gfid: GFID) -> (first: [UInt8], second: [UInt8]) {
        (hexByte(gfid.uuid.high >> 56), hexByte(gfid.uuid.high >> 48))
    }

    /// The handle's own name: the GFID in canonical form.
    static func name(_ gfid: GFID) -> [UInt8] { gfid.uuid.canonicalBytes }

    /// The GFID a handle name stands for, or nil if `name` is not a canonical GFID.
    static func gfid(named name: some Collection<UInt8>) -> GFID? {
        UUID128(canonical: name).map(GFID.init)
    }

    /// The symlink target of the handle of a directory named `name` in `parent`.
    static func directoryTarget(parent: GFID, name: FileName) -> [UInt8] {
        let (first, second) = buckets(parent)
        return prefix + first + [slash] + second + [slash] + HandlePath.name(parent) + [slash] + name.bytes
    }

    /// Takes a directory handle's target apart. Nil unless it is exactly
    /// `../../xy/zw/<parent GFID>/<name>` with `xy/zw` the parent's buckets and `name` a valid
    /// file name: anything else (an absolute path, extra `..`, a tampered bucket) is refused.
    static func parseDirectoryTarget(_ target: [UInt8]) -> (parent: GFID, name: FileName)? {
        let gfidLength = 36
        let fixedLength = prefix.count + 3 + 3 + gfidLength + 1
        guard target.count > fixedLength, target.starts(with: prefix) else { return nil }
        let rest = target[prefix.count...]
        let start = rest.startIndex
        guard rest[start + 2] == slash, rest[start + 5] == slash, rest[start + 6 + gfidLength] == slash else { return nil }
        guard let parent = gfid(named: rest[(start + 6)..<(start + 6 + gfidLength)]) else { return nil }
        let (first, second) = buckets(parent)
        guard rest[start..<(start + 2)].elementsEqual(first), rest[(start + 3)..<(start + 5)].elementsEqual(second) else { return nil }
        guard let name = try? FileName(validating: rest[(start + 7 + gfidLength)...]) else { return nil }
        return (parent, name)
    }

    private static func hexByte(_ value: UInt64) -> [UInt8] {
        let byte = UInt8(truncatingIfNeeded: value)
        return [HexDigit.lowercase(byte >> 4), HexDigit.lowercase(byte & 0xF)]
    }

    private static let prefix = Array("../../".utf8)
    private static let slash = UInt8(ascii: "/")
}
