#if canImport(Glibc)
import Glibc
#endif
import JBRCore

extension FileAttributes {
    /// The inode number programs see: derived from the GFID, so it is the same on every mount
    /// and across remounts (tar and rsync pair hard links by it); the root is 1.
    var inodeNumber: UInt64 {
        guard gfid != .root else { return 1 }
        let folded = gfid.uuid.high ^ gfid.uuid.low
        return folded <= 1 ? folded + 2 : folded
    }

    /// As `stat(2)` reports it.
    func statBuffer() -> stat {
        var buffer = stat()
        buffer.st_ino = ino_t(inodeNumber)
        buffer.st_mode = mode_t(permissions) | type.modeBits
        buffer.st_nlink = nlink_t(linkCount)
        buffer.st_uid = owner.uid
        buffer.st_gid = owner.gid
        buffer.st_size = off_t(clamping: size)
        buffer.st_blocks = blkcnt_t(clamping: blocks)
        buffer.st_blksize = 4096
        buffer.st_atim = accessTime.timespec
        buffer.st_mtim = modificationTime.timespec
        buffer.st_ctim = changeTime.timespec
        return buffer
    }
}

extension FileType {
    var modeBits: mode_t {
        switch self {
        case .regular: S_IFREG
        case .directory: S_IFDIR
        case .symlink: S_IFLNK
        case .fifo: S_IFIFO
        case .socket: S_IFSOCK
        }
    }
}

extension Timestamp {
    var timespec: Glibc.timespec {
        Glibc.timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
    }

    init(_ time: Glibc.timespec) {
        self.init(seconds: Int64(time.tv_sec), nanoseconds: UInt32(clamping: time.tv_nsec))
    }
}

extension FileSystemStats {
    func statvfsBuffer() -> statvfs {
        var buffer = statvfs()
        buffer.f_bsize = UInt(blockSize)
        buffer.f_frsize = UInt(blockSize)
        buffer.f_blocks = fsblkcnt_t(totalBlocks)
        buffer.f_bfree = fsblkcnt_t(freeBlocks)
        buffer.f_bavail = fsblkcnt_t(availableBlocks)
        buffer.f_files = fsfilcnt_t(totalFiles)
        buffer.f_ffree = fsfilcnt_t(freeFiles)
        buffer.f_favail = fsfilcnt_t(freeFiles)
        buffer.f_namemax = UInt(maxNameLength)
        return buffer
    }
}
