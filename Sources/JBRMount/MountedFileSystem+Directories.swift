import CFUSE3
#if canImport(Glibc)
import Glibc
#endif
import JBRCore

/// Directory listings. The kernel's offset of an entry is the volume's cookie after it (the
/// hash of its name, see `DirectoryCookie`), so a listing resumes after any entry, and across
/// a change of leader. `.` and `..` are not listed (the volume does not keep them).
extension MountedFileSystem {
    /// Entries per page asked of the volume; the kernel's buffer (4 KiB and up) decides how many
    /// of them go out.
    static let entriesPerPage: UInt32 = 256

    func readDirectory(_ request: FuseRequest, node: fuse_ino_t, size: Int, offset: off_t, plus: Bool) {
        serve(request, plus ? "readdirplus" : "readdir") { [self] in
            let directory = try gfid(node)
            var cookie = UInt64(bitPattern: Int64(offset))
            var buffer = [UInt8](repeating: 0, count: size)
            var used = 0
            while true {
                guard case let .directory(page) = try await client.read(.readdir(gfid: directory, cookie: cookie, maxEntries: Self.entriesPerPage)) else {
                    throw JBRError(.EIO, "readdir answered with something other than a page")
                }
                let fitting = fit(page.entries, into: size - used, plus: plus, for: request)
                used += add(fitting, to: &buffer, at: used, plus: plus, for: request)
                // An empty answer ends the listing for the kernel: go on only past empty pages.
                if fitting.count < page.entries.count || page.isLastPage || used > 0 { break }
                cookie = page.nextCookie
            }
            request.bytes(buffer[..<used])
        }
    }

    /// The longest prefix of `entries` that fits in `room` bytes, never ending inside a group of
    /// names that share a cookie (resuming after that cookie would skip the rest of the group).
    private func fit(_ entries: [DirectoryEntry], into room: Int, plus: Bool, for fuse: FuseRequest) -> ArraySlice<DirectoryEntry> {
        var needed = 0
        var count = 0
        for entry in entries {
            let size = direntSize(entry, plus: plus, for: fuse)
            guard needed + size <= room else { break }
            needed += size
            count += 1
        }
        guard count < entries.count, count > 0 else { return entries[..<count] }
        let cut = DirectoryCookie.of(entries[count].name.bytes)
        while count > 0 && DirectoryCookie.of(entries[count - 1].name.bytes) == cut { count -= 1 }
        return entries[..<count]
    }

    /// What one entry takes in the kernel's buffer (libfuse says without writing when given no room).
    private func direntSize(_ entry: DirectoryEntry, plus: Bool, for fuse: FuseRequest) -> Int {
        (entry.name.bytes + [0]).withUnsafeBytes { name in
            let cName = name.baseAddress!.assumingMemoryBound(to: CChar.self)
            return plus ? fuse_add_direntry_plus(fuse.request, nil, 0, cName, nil, 0) : fuse_add_direntry(fuse.request, nil, 0, cName, nil, 0)
        }
    }

    /// Writes the entries; with `plus`, each hands the kernel a lookup of its object.
    private func add(_ entries: ArraySlice<DirectoryEntry>, to buffer: inout [UInt8], at start: Int, plus: Bool, for fuse: FuseRequest) -> Int {
        var used = start
        for entry in entries {
            let offset = off_t(Int64(bitPattern: DirectoryCookie.of(entry.name.bytes)))
            used += buffer.withUnsafeMutableBytes { raw in
                (entry.name.bytes + [0]).withUnsafeBytes { name in
                    let target = raw.baseAddress!.advanced(by: used).assumingMemoryBound(to: CChar.self)
                    let cName = name.baseAddress!.assumingMemoryBound(to: CChar.self)
                    if plus {
                        let node = nodes.withLock { $0.remember(entry.attributes.gfid) }
                        var parameters = FuseRequest.entryParameters(node: node, entry.attributes, options: options)
                        return fuse_add_direntry_plus(fuse.request, target, raw.count - used, cName, &parameters, offset)
                    }
                    var status = entry.attributes.statBuffer()
                    return fuse_add_direntry(fuse.request, target, raw.count - used, cName, &status, offset)
                }
            }
        }
        return used - start
    }
}
