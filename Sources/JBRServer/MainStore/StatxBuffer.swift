#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Linux's `struct statx` (256 bytes, the same on every architecture), which Glibc's Swift
/// module leaves out; read at the offsets `<linux/stat.h>` gives.
struct StatxBuffer {
    private var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    private func load<Value: FixedWidthInteger>(_ offset: Int, as type: Value.Type) -> Value {
        withUnsafeBytes(of: bytes) { $0.loadUnaligned(fromByteOffset: offset, as: type) }
    }

    /// What the kernel filled in, as a `stat` (fields `statx` does not have stay zero).
    var status: stat {
        var status = stat()
        status.st_blksize = numericCast(load(4, as: UInt32.self))
        status.st_nlink = numericCast(load(16, as: UInt32.self))
        status.st_uid = load(20, as: UInt32.self)
        status.st_gid = load(24, as: UInt32.self)
        status.st_mode = mode_t(load(28, as: UInt16.self))
        status.st_ino = numericCast(load(32, as: UInt64.self))
        status.st_size = Int(truncatingIfNeeded: load(40, as: UInt64.self))
        status.st_blocks = Int(truncatingIfNeeded: load(48, as: UInt64.self))
        status.st_atim = timestamp(at: 64)
        status.st_ctim = timestamp(at: 96)
        status.st_mtim = timestamp(at: 112)
        status.st_dev = Self.device(major: load(136, as: UInt32.self), minor: load(140, as: UInt32.self))
        return status
    }

    /// glibc's `makedev`, which Swift cannot call (a macro-like inline).
    private static func device(major: UInt32, minor: UInt32) -> dev_t {
        let major = UInt64(major)
        let minor = UInt64(minor)
        return dev_t((major & 0xFFFF_F000) << 32 | (major & 0xFFF) << 8 | (minor & 0xFFFF_FF00) << 12 | (minor & 0xFF))
    }

    /// A `struct statx_timestamp`: seconds (Int64), then nanoseconds (UInt32).
    private func timestamp(at offset: Int) -> timespec {
        timespec(tv_sec: Int(load(offset, as: Int64.self)), tv_nsec: Int(load(offset + 8, as: UInt32.self)))
    }
}
