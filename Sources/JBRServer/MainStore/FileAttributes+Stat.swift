#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

extension FileType {
    /// The kind of object `mode` describes, or nil for character and block devices, which a
    /// volume never holds.
    init?(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        default: return nil
        }
    }
}

extension Timestamp {
    init(_ time: timespec) {
        self.init(seconds: Int64(time.tv_sec), nanoseconds: UInt32(time.tv_nsec))
    }

    var timespec: Glibc.timespec {
        Glibc.timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
    }
}

extension FileAttributes {
    /// What a user sees of an object whose status is `status`.
    ///
    /// The link count leaves out the object's handle in `.jbr/gfid/` (a hard link for everything
    /// but directories), so a file with one name says 1, and `.jbr` from the root's. Nil for a
    /// device node.
    init?(status: stat, gfid: GFID) {
        guard let type = FileType(mode: status.st_mode) else { return nil }
        let links = UInt32(truncatingIfNeeded: status.st_nlink) - (gfid == .root && status.st_nlink > 2 ? 1 : 0)
        self.init(
            gfid: gfid, type: type, permissions: UInt16(status.st_mode & 0o7777),
            linkCount: type == .directory ? links : Swift.max(links, 1) - 1,
            owner: Owner(uid: status.st_uid, gid: status.st_gid), size: UInt64(status.st_size),
            blocks: UInt64(status.st_blocks), accessTime: Timestamp(status.st_atim),
            modificationTime: Timestamp(status.st_mtim), changeTime: Timestamp(status.st_ctim))
    }
}
