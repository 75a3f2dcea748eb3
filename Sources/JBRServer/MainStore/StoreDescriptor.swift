#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// An open file or directory of the brick, and the calls the store makes relative to it.
///
/// Every call that takes a name works on that name inside this directory and never follows a
/// symlink there (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`, `l*xattr`): this is how the store stays
/// confined to the brick (architecture rule 5). Names are raw bytes and must be single
/// components (no `/`, no NUL); callers pass validated `FileName`s or names the store made.
/// Failures carry the call, the label and the name, so "No space left on device" says where.
final class StoreDescriptor {
    let fd: Int32
    /// Where this descriptor points, for error messages: a brick-relative path or a GFID.
    let label: String
    /// Crash injection for tests; inherited by every descriptor opened through this one.
    let faults: StoreFaults?

    init(adopting fd: Int32, label: String, faults: StoreFaults?) {
        precondition(fd >= 0, "adopting an invalid descriptor for \(label)")
        self.fd = fd
        self.label = label
        self.faults = faults
    }

    deinit { close(fd) }

    /// Opens the brick directory itself: the one path the store takes from configuration.
    static func openBrick(_ path: String, faults: StoreFaults?) throws(StoreError) -> StoreDescriptor {
        let fd = retryingInterrupted { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .system(call: "open", subject: path, errno: errno) }
        return StoreDescriptor(adopting: fd, label: path, faults: faults)
    }

    /// Lets the crash-injection hook stop a change before it happens.
    func aboutToChange(_ call: String, _ name: [UInt8]? = nil) throws(StoreError) {
        try faults?.beforeChange(call, name.map(subject) ?? label)
    }

    func subject(_ name: [UInt8]) -> String { "\(label)/\(Self.printable(name))" }

    static func printable(_ name: [UInt8]) -> String {
        (try? FileName(validating: name))?.description ?? String(decoding: name, as: UTF8.self)
    }

    func check(_ result: Int32, _ call: String, _ name: [UInt8]? = nil) throws(StoreError) {
        guard result >= 0 else { throw .system(call: call, subject: name.map(subject) ?? label, errno: errno) }
    }

    // MARK: Opening

    /// Opens `name` without following a symlink. `O_NONBLOCK` keeps a FIFO from blocking.
    func open(_ name: [UInt8], flags: Int32, mode: mode_t = 0, label: String? = nil) throws(StoreError) -> StoreDescriptor {
        if flags & O_CREAT != 0 { try aboutToChange("openat", name) }
        let fd = withCName(name) { cName in
            retryingInterrupted { openat(self.fd, cName, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode) }
        }
        guard fd >= 0 else { throw .system(call: "openat", subject: subject(name), errno: errno) }
        return StoreDescriptor(adopting: fd, label: label ?? subject(name), faults: faults)
    }

    func openDirectory(_ name: [UInt8], label: String? = nil) throws(StoreError) -> StoreDescriptor {
        try open(name, flags: O_RDONLY | O_DIRECTORY, label: label)
    }

    // MARK: Status

    func status() throws(StoreError) -> stat {
        var info = stat()
        try check(fstat(fd, &info), "fstat")
        return info
    }

    /// The status of the object without asking for its modification and change times (their
    /// fields are zero on kernels that honour the request), for callers that do not use them
    /// or know them (they just set them).
    ///
    /// Reading a file's times makes Linux (6.13 on, "multigrain timestamps") stamp its next
    /// change with a fine-grained time, and that time moves the coarse clock of every file
    /// forward: the journal's next write then changes its segment's mtime, and on ext4 without
    /// a journal each fdatasync writes the inode as well. Measured here: a journal sync took
    /// 0.127 ms instead of 0.088 when another file was stat'ed and written between syncs.
    func statusWithoutTimes() throws(StoreError) -> stat {
        var extended = StatxBuffer()
        let result = withUnsafeMutableBytes(of: &extended) { buffer in
            LinuxCalls.statx(fd, "", LinuxCalls.atEmptyPath, LinuxCalls.statxAllButChangeTimes, buffer.baseAddress!)
        }
        // Kernels before 4.11 (or a sandbox refusing the call): the ordinary status.
        if result != 0 && errno == ENOSYS { return try status() }
        try check(result, "statx")
        return extended.status
    }

    /// The status of `name` itself (a symlink is not followed), or nil if there is no such name.
    func status(of name: [UInt8]) throws(StoreError) -> stat? {
        var info = stat()
        let result = withCName(name) { fstatat(fd, $0, &info, AT_SYMLINK_NOFOLLOW) }
        if result != 0 && errno == ENOENT { return nil }
        try check(result, "fstatat", name)
        return info
    }

    // MARK: Entries

    func makeDirectory(_ name: [UInt8], mode: mode_t) throws(StoreError) {
        try aboutToChange("mkdirat", name)
        try check(withCName(name) { mkdirat(fd, $0, mode) }, "mkdirat", name)
    }

    func makeNode(_ name: [UInt8], mode: mode_t) throws(StoreError) {
        try aboutToChange("mknodat", name)
        try check(withCName(name) { mknodat(fd, $0, mode, 0) }, "mknodat", name)
    }

    func makeSymlink(_ name: [UInt8], target: [UInt8]) throws(StoreError) {
        try aboutToChange("symlinkat", name)
        let result = withCName(target) { cTarget in withCName(name) { symlinkat(cTarget, fd, $0) } }
        try check(result, "symlinkat", name)
    }

    func readLink(_ name: [UInt8]) throws(StoreError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = withCName(name) { cName in
            buffer.withUnsafeMutableBytes { readlinkat(fd, cName, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        }
        guard count >= 0 else { throw .system(call: "readlinkat", subject: subject(name), errno: errno) }
        guard count < buffer.count else { throw .damaged("symlink \(subject(name)) is longer than PATH_MAX") }
        return Array(buffer.prefix(count))
    }

    /// Adds `newName` in `directory` for the object `name` names here (never following it, so
    /// a symlink's own inode gets the new name).
    func hardLink(_ name: [UInt8], into directory: StoreDescriptor, as newName: [UInt8]) throws(StoreError) {
        try aboutToChange("linkat", name)
        let result = withCName(name) { old in withCName(newName) { linkat(fd, old, directory.fd, $0, 0) } }
        guard result == 0 else {
            throw .system(call: "linkat", subject: "\(subject(name)) -> \(directory.subject(newName))", errno: errno)
        }
    }

    func rename(_ name: [UInt8], into directory: StoreDescriptor, as newName: [UInt8], noReplace: Bool) throws(StoreError) {
        try aboutToChange("renameat2", name)
        let flags = noReplace ? LinuxCalls.renameNoReplace : 0
        let result = withCName(name) { old in withCName(newName) { LinuxCalls.renameat2(fd, old, directory.fd, $0, flags) } }
        guard result == 0 else {
            throw .system(call: "renameat2", subject: "\(subject(name)) -> \(directory.subject(newName))", errno: errno)
        }
    }

    func removeEntry(_ name: [UInt8], isDirectory: Bool) throws(StoreError) {
        try aboutToChange("unlinkat", name)
        try check(withCName(name) { unlinkat(fd, $0, isDirectory ? AT_REMOVEDIR : 0) }, "unlinkat", name)
    }

    /// The names in this directory except `.` and `..`, in the order the file system gives.
    func entryNames() throws(StoreError) -> [[UInt8]] {
        let copy = retryingInterrupted { openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        try check(copy, "openat")
        guard let stream = fdopendir(copy) else {
            let code = errno
            close(copy)
            throw .system(call: "fdopendir", subject: label, errno: code)
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw .system(call: "readdir", subject: label, errno: errno) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
    }

    // MARK: Owner, mode, times (of this descriptor when `name` is nil)

    func changeOwner(of name: [UInt8]?, uid: UInt32?, gid: UInt32?) throws(StoreError) {
        try aboutToChange("fchownat", name)
        let user = uid.map { uid_t($0) } ?? uid_t.max
        let group = gid.map { gid_t($0) } ?? gid_t.max
        guard let name else { return try check(fchown(fd, user, group), "fchown") }
        try check(withCName(name) { fchownat(fd, $0, user, group, AT_SYMLINK_NOFOLLOW) }, "fchownat", name)
    }

    /// Sets the permission bits. On a symlink Linux has no such operation: EOPNOTSUPP.
    func changePermissions(of name: [UInt8]?, to permissions: UInt16) throws(StoreError) {
        try aboutToChange("fchmodat", name)
        let mode = mode_t(permissions)
        guard let name else { return try check(fchmod(fd, mode), "fchmod") }
        try check(withCName(name) { fchmodat(fd, $0, mode, AT_SYMLINK_NOFOLLOW) }, "fchmodat", name)
    }

    /// Sets access and modification times; a nil time is left as it is.
    func setTimes(of name: [UInt8]?, access: Timestamp?, modification: Timestamp?) throws(StoreError) {
        try aboutToChange("utimensat", name)
        let times = [Self.timespec(access), Self.timespec(modification)]
        guard let name else { return try check(futimens(fd, times), "futimens") }
        try check(withCName(name) { utimensat(fd, $0, times, AT_SYMLINK_NOFOLLOW) }, "utimensat", name)
    }

    private static func timespec(_ time: Timestamp?) -> Glibc.timespec {
        time?.timespec ?? Glibc.timespec(tv_sec: 0, tv_nsec: LinuxCalls.utimeOmit)
    }
}

/// Runs `body` with `bytes` as a NUL-terminated C string.
func withCName<Result>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> Result) -> Result {
    var terminated = bytes
    terminated.append(0)
    return terminated.withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
}
