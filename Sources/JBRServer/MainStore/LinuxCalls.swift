#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Linux calls and constants that Glibc's Swift module hides: they need `_GNU_SOURCE` or
/// `<sys/xattr.h>`, which the module map leaves out, and `syscall` is variadic (Swift cannot
/// call it as declared: `syscall6` declares it with fixed arguments). The functions are looked
/// up by name in the C library once; glibc has exported all of them since 2.28, so a missing
/// one is a broken installation and stops the process.
enum LinuxCalls {
    typealias Path = UnsafePointer<CChar>

    static let renameat2 = symbol("renameat2", as: (@convention(c) (Int32, Path, Int32, Path, UInt32) -> Int32).self)
    static let syncfs = symbol("syncfs", as: (@convention(c) (Int32) -> Int32).self)
    static let fallocate = symbol("fallocate", as: (@convention(c) (Int32, Int32, off_t, off_t) -> Int32).self)

    static let statx = symbol("statx", as: (@convention(c) (Int32, Path, Int32, UInt32, UnsafeMutableRawPointer) -> Int32).self)
    static let fgetxattr = symbol("fgetxattr", as: (@convention(c) (Int32, Path, UnsafeMutableRawPointer?, Int) -> Int).self)
    static let fsetxattr = symbol("fsetxattr", as: (@convention(c) (Int32, Path, UnsafeRawPointer?, Int, Int32) -> Int32).self)
    static let fremovexattr = symbol("fremovexattr", as: (@convention(c) (Int32, Path) -> Int32).self)
    static let flistxattr = symbol("flistxattr", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int).self)
    static let lgetxattr = symbol("lgetxattr", as: (@convention(c) (Path, Path, UnsafeMutableRawPointer?, Int) -> Int).self)
    static let lsetxattr = symbol("lsetxattr", as: (@convention(c) (Path, Path, UnsafeRawPointer?, Int, Int32) -> Int32).self)
    static let lremovexattr = symbol("lremovexattr", as: (@convention(c) (Path, Path) -> Int32).self)
    static let llistxattr = symbol("llistxattr", as: (@convention(c) (Path, UnsafeMutablePointer<CChar>?, Int) -> Int).self)

    /// `syscall` with six integer arguments. Declaring the variadic function with fixed ones is
    /// sound on Linux's x86-64 and AArch64 calling conventions, where a variadic callee finds
    /// integer arguments in the same registers.
    private static let syscall6 = symbol("syscall", as: (@convention(c) (Int, Int, Int, Int, Int, Int, Int) -> Int).self)

    /// `getxattrat(2)` of entry `name` in `directory`, never following it (Linux 6.13). Nil
    /// where the call is not available: the caller falls back to the `/proc/self/fd` path.
    static func getxattrAt(_ directory: Int32, _ name: Path, _ attribute: Path, _ value: UnsafeMutableRawPointer?, _ size: Int) -> Int? {
        guard xattrAtWorks else { return nil }
        return xattrAt(number: 464, directory, name, attribute, UnsafeRawPointer(value), size, flags: 0)
    }

    /// `setxattrat(2)`, as `getxattrAt`.
    static func setxattrAt(_ directory: Int32, _ name: Path, _ attribute: Path, _ value: UnsafeRawPointer?, _ size: Int, _ flags: Int32) -> Int32? {
        guard xattrAtWorks else { return nil }
        return Int32(xattrAt(number: 463, directory, name, attribute, value, size, flags: flags))
    }

    /// Whether the kernel, and any sandbox in front of it, lets `*xattrat` through. Probed once
    /// on the root directory, where a working call answers with a value or "no such attribute",
    /// never ENOSYS (an older kernel) or EPERM (a seccomp filter that does not know the call).
    private static let xattrAtWorks: Bool = {
        let result = xattrAt(number: 464, AT_FDCWD, "/", "user.jbr-probe", nil, 0, flags: 0)
        return result >= 0 || (errno != ENOSYS && errno != EPERM)
    }()

    /// The `*xattrat` system call `number`, its value described by a `struct xattr_args`
    /// (`{ __aligned_u64 value; __u32 size; __u32 flags; }`).
    private static func xattrAt(number: Int, _ directory: Int32, _ name: Path, _ attribute: Path, _ value: UnsafeRawPointer?, _ size: Int, flags: Int32) -> Int {
        var arguments: (UInt64, UInt32, UInt32) = (UInt64(UInt(bitPattern: value)), UInt32(truncatingIfNeeded: size), UInt32(bitPattern: flags))
        return withUnsafeMutablePointer(to: &arguments) { pointer in
            syscall6(
                number, Int(directory), Int(bitPattern: name), Int(atSymlinkNoFollow), Int(bitPattern: attribute), Int(bitPattern: pointer),
                MemoryLayout<(UInt64, UInt32, UInt32)>.size)
        }
    }

    // <linux/fs.h>, <linux/falloc.h>, <sys/xattr.h>, <sys/stat.h> values (the same on every
    // Linux architecture).
    static let renameNoReplace: UInt32 = 1
    static let fallocKeepSize: Int32 = 0x01
    static let fallocPunchHole: Int32 = 0x02
    static let fallocZeroRange: Int32 = 0x10
    static let xattrCreate: Int32 = 1
    static let xattrReplace: Int32 = 2
    static let utimeOmit = (1 << 30) - 2
    static let atEmptyPath: Int32 = 0x1000
    static let atSymlinkNoFollow: Int32 = 0x100
    /// STATX_BASIC_STATS without STATX_MTIME and STATX_CTIME.
    static let statxAllButChangeTimes: UInt32 = 0x7FF & ~0xC0

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function {
        guard let address = dlsym(nil, name) else { preconditionFailure("the C library does not export \(name)") }
        return unsafeBitCast(address, to: type)
    }
}

/// Calls `call` again while it fails with EINTR.
@inline(__always)
func retryingInterrupted<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result < 0 && errno == EINTR { continue }
        return result
    }
}
