#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore
import Synchronization

/// Watches the brick's file system against its free-space reserve (`option reserve`, percent of
/// its blocks and of its inodes). Below it, the core refuses writes that add data with ENOSPC
/// before sequencing them: a committed write must be applied, and one that no longer fits would
/// stall every replica's apply behind it. Deletes still go through, so users can make room.
final class StorageReserve: Sendable {
    private let descriptor: Int32
    private let percent: Int
    /// What the core was last told (nil: nothing yet).
    private let reported = Mutex<Bool?>(nil)

    /// - Throws: when the brick directory cannot be opened.
    init(brickPath: String, percent: Int) throws {
        let descriptor = open(brickPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw JBRError(.EIO, "cannot open brick \(brickPath) to watch its free space: errno \(errno)")
        }
        self.descriptor = descriptor
        self.percent = percent
    }

    deinit { close(descriptor) }

    /// Whether the file system is within the reserve, if that changed since the last call (or
    /// this is the first). A file system that cannot be asked is taken as not low.
    func change() -> Bool? {
        var info = statvfs()
        let low = fstatvfs(descriptor, &info) == 0 && Self.isLow(info, percent: percent)
        return reported.withLock { last in
            guard last != low else { return nil }
            last = low
            return low
        }
    }

    /// Free blocks or inodes (for unprivileged users) under `percent` of the total.
    static func isLow(_ info: statvfs, percent: Int) -> Bool {
        guard percent > 0 else { return false }
        let blocksLow = UInt64(info.f_bavail) * 100 < UInt64(info.f_blocks) * UInt64(percent)
        // Some file systems have no inode limit and report zero inodes.
        let inodesLow = info.f_files > 0 && UInt64(info.f_favail) * 100 < UInt64(info.f_files) * UInt64(percent)
        return blocksLow || inodesLow
    }
}
