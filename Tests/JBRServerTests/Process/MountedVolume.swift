import Foundation
import JBRCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `ProcessVolume` mounted through FUSE by a real `jbr-client mount --foreground` child, for
/// tests that drive it with ordinary programs (cp, tar, git, rsync) and system calls. The mount
/// point and every output file live under `volume.root`; the mount is always undone and the
/// child always stopped, whatever the test does.
final class MountedVolume: @unchecked Sendable {
    let volume: ProcessVolume
    /// The mount point, as /proc/self/mountinfo spells it (symlinks resolved).
    let path: String
    /// jbr-client's `--log-file`.
    let logPath: String
    let child: ChildProcess
    private let failed = Mutex(false)
    private let end = Mutex<MountEnd?>(nil)

    /// FUSE can be tested here: the kernel's device exists and the unmount helper is installed.
    /// The mount tests are skipped when this is false, and for no other reason.
    static let fuseAvailable: Bool = FileManager.default.fileExists(atPath: "/dev/fuse") && HostTools.path(of: "fusermount3") != nil

    /// How long a mount may take to show up in /proc/self/mountinfo (bricks on a busy machine).
    static let mountWait: Duration = .seconds(20)

    private init(volume: ProcessVolume, path: String, logPath: String, child: ChildProcess) {
        self.volume = volume
        self.path = path
        self.logPath = logPath
        self.child = child
    }

    /// Runs `body` with `volume` mounted (extra `options` go after `--foreground`), then
    /// unmounts and stops jbr-client whatever happens. The mount's log, output and errors are
    /// printed when `body` throws, when a check marked the test failed, or when the mount did
    /// not end cleanly.
    static func with<R>(_ volume: ProcessVolume, options: [String] = [], _ body: (MountedVolume) async throws -> R) async throws -> R {
        let mount = try await mount(volume, options: options)
        do {
            let result = try await body(mount)
            let end = await mount.unmount()
            if !end.isClean || mount.hasFailed { mount.printDiagnostics(end) }
            return result
        } catch {
            let end = await mount.unmount()
            mount.printDiagnostics(end)
            throw error
        }
    }

    /// Starts `jbr-client mount --foreground` on a fresh mount point under `volume.root` and
    /// returns once the kernel lists the mount; throws (having cleaned up) if jbr-client exits
    /// first or the mount does not appear within `mountWait`.
    static func mount(_ volume: ProcessVolume, options: [String] = []) async throws -> MountedVolume {
        // The bricks elect first, so the mount's first requests do not race the election.
        _ = try await volume.leader()
        let stem = volume.root + "/mount-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: stem, withIntermediateDirectories: true)
        let path = try Posix.realPath(stem)
        let logPath = stem + ".log"
        let child = try ChildProcess.launch(
            ProcessVolume.binaries + "/jbr-client",
            ["--volfile", volume.clientVolfile, "mount", path, "--foreground", "--log-file", logPath] + options,
            scratch: volume.root)
        let mount = MountedVolume(volume: volume, path: path, logPath: logPath, child: child)
        let deadline = ContinuousClock.now + mountWait
        while !isFuseMounted(path) {
            if !child.isRunning {
                let end = await mount.unmount()
                throw MountTestFailure("jbr-client mount exited (\(child.exitDescription)) before mounting \(path)\n\(mount.diagnostics(end))")
            }
            if ContinuousClock.now >= deadline {
                let end = await mount.unmount()
                throw MountTestFailure("\(path) was not mounted within \(mountWait)\n\(mount.diagnostics(end))")
            }
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                // Cancelled: jbr-client is not left running.
                await mount.unmount()
                throw error
            }
        }
        return mount
    }

    /// How a test ends a mount.
    enum Unmounting: Equatable, Sendable {
        case fusermount
        case umount
        /// jbr-client is sent this signal and must unmount by itself.
        case signal(Int32)
    }

    /// Ends the mount `way` says, waits (bounded) for jbr-client to exit by itself, stops it
    /// (SIGTERM, then SIGKILL) if it does not, and lazily unmounts whatever is left. Only the
    /// first call acts; later ones return its result.
    @discardableResult
    func unmount(_ way: Unmounting = .fusermount) async -> MountEnd {
        if let ended = end.withLock({ $0 }) { return ended }
        var result = MountEnd()
        if !child.isRunning {
            result.notes.append("jbr-client had already exited (\(child.exitDescription)) before the unmount")
        }
        switch way {
        case .fusermount, .umount:
            let command = way == .fusermount ? ("fusermount3", ["-u", path]) : ("umount", [path])
            let unmounting = await HostTools.run(command.0, command.1, scratch: volume.root, timeout: .seconds(30))
            result.unmountCommand = unmounting
            if !unmounting.succeeded { result.notes.append("\(unmounting)") }
        case .signal(let number):
            if child.isRunning { child.signal(number) }
        }
        if await child.waitForExit(within: .seconds(20)) {
            result.exitedByItself = true
        } else {
            result.notes.append("jbr-client was still running 20 s after the unmount: stopping it")
            await child.stop(grace: .seconds(10))
        }
        result.exit = child.exitDescription
        result.exitStatus = child.exitedNormally ? child.process.terminationStatus : nil
        if Self.isMounted(path) {
            result.leftMounted = true
            let lazy = await HostTools.run("umount", ["-l", path], scratch: volume.root, timeout: .seconds(30))
            result.notes.append("the mount outlived jbr-client; umount -l: \(lazy.succeeded ? "done" : "\(lazy)")")
        }
        end.withLock { $0 = result }
        return result
    }

    /// Runs `body`, which makes system calls on the mount, under a watchdog: if it is still
    /// running after `limit` (a request the daemon never answers), jbr-client is killed, so the
    /// kernel fails the stuck calls with ENOTCONN and the test reports instead of hanging.
    func blocking<R>(
        _ what: String, within limit: Duration = .seconds(150), sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R
    ) rethrows -> R {
        let pid = child.process.processIdentifier
        let fired = Mutex(false)
        let watchdog = DispatchWorkItem { [self] in
            guard child.isRunning else { return }
            fired.withLock { $0 = true }
            markFailed()
            FileHandle.standardError.write(Data("watchdog: \(what) was still blocked on \(path) after \(limit): killing jbr-client (pid \(pid))\n".utf8))
            Foundation.kill(pid, SIGKILL)
        }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        defer {
            watchdog.cancel()
            // Recorded here, on the test's own task: the watchdog's thread has no test.
            if fired.withLock({ $0 }) {
                Issue.record("\(what) was still blocked on the mount after \(limit): jbr-client was killed", sourceLocation: sourceLocation)
            }
        }
        return try body()
    }

    /// Runs a program to completion (bounded) with its output in files under the volume's folder.
    func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async -> CommandResult {
        await HostTools.run(program, arguments, environment: environment, scratch: volume.root)
    }

    // MARK: Checks that also mark the mount's diagnostics for printing

    /// Expects `result` to have exited 0 in time.
    func expectSuccess(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) {
        if !result.succeeded { markFailed() }
        #expect(result.succeeded, "\(result)", sourceLocation: sourceLocation)
    }

    /// Expects the trees at `expected` and `actual` to be the same (see `TreeComparison`).
    func expectSameTree(_ expected: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let differences = blocking("comparing \(expected) with \(actual)", sourceLocation: sourceLocation) {
            TreeComparison.differences(between: expected, and: actual)
        }
        if !differences.isEmpty { markFailed() }
        #expect(differences.isEmpty, "\(expected) and \(actual) differ:\n\(TreeComparison.summary(differences))", sourceLocation: sourceLocation)
    }

    /// Expects `condition`, marking the mount's diagnostics for printing when it is false.
    func expect(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        if !condition { markFailed() }
        #expect(condition, "\(message())", sourceLocation: sourceLocation)
    }

    func markFailed() { failed.withLock { $0 = true } }

    var hasFailed: Bool { failed.withLock { $0 } }

    // MARK: Diagnostics

    func diagnostics(_ end: MountEnd?, lines: Int = Int(ProcessInfo.processInfo.environment["JBR_TEST_LOG_LINES"] ?? "60") ?? 60) -> String {
        var text = "--- jbr-client mount \(path): \(child.isRunning ? "running" : child.exitDescription) ---\n"
        if let end { text += "end: \(end)\n" }
        text += "standard output:\n\(HostTools.tail(child.output, lines: lines))\n"
        text += "standard error:\n\(HostTools.tail(child.errors, lines: lines))\n"
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log at \(logPath))"
        text += "log, last \(lines) lines:\n\(HostTools.tail(log, lines: lines))\n"
        return text
    }

    func printDiagnostics(_ end: MountEnd?) {
        FileHandle.standardError.write(Data(diagnostics(end).utf8))
    }

    // MARK: /proc/self/mountinfo

    /// The file-system type mounted at `path`, if anything is (the last mount there wins).
    static func fileSystemType(at path: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        var found: String?
        for line in text.split(separator: "\n") {
            // "36 35 98:0 /root /mount/point options… - fstype source super-options"
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count > 4, let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count else { continue }
            if unescapeMountField(fields[4]) == path { found = String(fields[separator + 1]) }
        }
        return found
    }

    static func isMounted(_ path: String) -> Bool { fileSystemType(at: path) != nil }

    /// A FUSE file system (`fuse`, `fuse.NAME`, `fuseblk`) is mounted at `path`.
    static func isFuseMounted(_ path: String) -> Bool {
        guard let type = fileSystemType(at: path) else { return false }
        return type == "fuse" || type == "fuseblk" || type.hasPrefix("fuse.")
    }

    /// mountinfo writes space, tab, newline and backslash as `\ooo`.
    private static func unescapeMountField(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "\\"), index + 3 < raw.count,
                let value = UInt8(String(decoding: raw[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How a mount ended: what the unmount command said, whether jbr-client exited by itself and
/// how, and what had to be cleaned up after it.
struct MountEnd: CustomStringConvertible, Sendable {
    var unmountCommand: CommandResult?
    var exitedByItself = false
    /// The exit status when jbr-client exited normally (not by a signal).
    var exitStatus: Int32?
    var exit = "not ended"
    /// Still mounted after jbr-client ended (then lazily unmounted).
    var leftMounted = false
    var notes: [String] = []

    /// Unmounted as asked, and jbr-client then exited 0 by itself.
    var isClean: Bool { unmountCommand?.succeeded != false && exitedByItself && exitStatus == 0 && !leftMounted }

    var description: String {
        "jbr-client \(exit)\(exitedByItself ? "" : " (had to be stopped)")\(leftMounted ? ", mount left behind" : "")"
            + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
    }
}

struct MountTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Programs

/// A program run to its end (or killed at its time limit).
struct CommandResult: CustomStringConvertible, Sendable {
    let command: String
    let status: Int32
    /// Ended by a signal (`status` is then the signal's number).
    let signalled: Bool
    let timedOut: Bool
    let output: String
    let errors: String

    var succeeded: Bool { !timedOut && !signalled && status == 0 }

    var description: String {
        let how = timedOut ? "timed out (killed)" : signalled ? "was killed by signal \(status)" : "exited \(status)"
        return "`\(command)` \(how)\n  output: \(HostTools.tail(output, lines: 30))\n  errors: \(HostTools.tail(errors, lines: 30))"
    }
}

/// A child process with standard input from /dev/null and its output and errors in files (no
/// pipe can fill and stall it), waited for with bounds and killed when it overruns.
final class ChildProcess: @unchecked Sendable {
    let command: String
    let process: Process
    let outputPath: String
    let errorPath: String

    private init(command: String, process: Process, outputPath: String, errorPath: String) {
        self.command = command
        self.process = process
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    /// Starts `program` (a path, or a name looked up on PATH) with `environment` added to this
    /// process's own; its output files go in `scratch`.
    static func launch(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], scratch: String
    ) throws -> ChildProcess {
        guard let executable = HostTools.path(of: program) else { throw MountTestFailure("\(program) is not installed (not on PATH)") }
        let stem = scratch + "/\((program as NSString).lastPathComponent)-\(UInt32.random(in: 0...UInt32.max))"
        for suffix in [".out", ".err"] {
            guard FileManager.default.createFile(atPath: stem + suffix, contents: nil) else { throw MountTestFailure("cannot create \(stem + suffix)") }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stem + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stem + ".err"))
        let command = ([program] + arguments).map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
        try process.run()
        return ChildProcess(command: command, process: process, outputPath: stem + ".out", errorPath: stem + ".err")
    }

    var isRunning: Bool { process.isRunning }

    var output: String { String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self) }
    var errors: String { String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self) }

    var exitedNormally: Bool { !process.isRunning && process.terminationReason == .exit }

    var exitDescription: String {
        if process.isRunning { return "still running" }
        return process.terminationReason == .exit ? "exited \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
    }

    func signal(_ number: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, number) }
    }

    /// Whether the process exited within `timeout` (polled: no thread blocks on it).
    func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return false }
            // A cancelled task (a test past its time limit) still waits, without spinning.
            do { try await Task.sleep(for: .milliseconds(50)) } catch { usleep(50_000) }
        }
        return true
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        signal(SIGTERM)
        if await waitForExit(within: grace) { return }
        signal(SIGKILL)
        _ = await waitForExit(within: .seconds(10))
    }

    /// Waits for the end (at most `timeout`; killed with SIGKILL past it) and collects the result.
    func finish(within timeout: Duration) async -> CommandResult {
        let timedOut = !(await waitForExit(within: timeout))
        if timedOut {
            signal(SIGKILL)
            _ = await waitForExit(within: .seconds(10))
        }
        let running = process.isRunning
        let result = CommandResult(
            command: command, status: running ? -1 : process.terminationStatus,
            signalled: !running && process.terminationReason == .uncaughtSignal, timedOut: timedOut || running, output: output, errors: errors)
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
        return result
    }
}

/// Programs of the host: where they are, running one to completion.
enum HostTools {
    /// `program` itself when it holds a slash, otherwise the first executable of that name on PATH.
    static func path(of program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in searchPath.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)") {
            return "\(directory)/\(program)"
        }
        return nil
    }

    static func isInstalled(_ program: String) -> Bool { path(of: program) != nil }

    /// Runs `program` to completion, at most `timeout` (then it is killed and the result says
    /// so); a program that cannot be started gives status 127 with the reason as its errors.
    static func run(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], scratch: String,
        timeout: Duration = .seconds(120)
    ) async -> CommandResult {
        do {
            let child = try ChildProcess.launch(program, arguments, environment: environment, scratch: scratch)
            return await child.finish(within: timeout)
        } catch {
            let command = ([program] + arguments).joined(separator: " ")
            return CommandResult(command: command, status: 127, signalled: false, timedOut: false, output: "", errors: "cannot start: \(error)")
        }
    }

    static func tail(_ text: String, lines: Int) -> String {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = all.suffix(lines).map(String.init)
        return ((all.count > lines ? ["…"] : []) + kept).joined(separator: "\n")
    }
}

// MARK: - System calls

/// A failed system call, with the path and errno.
struct PosixFailure: Error, CustomStringConvertible {
    let call: String
    let path: String
    let code: Int32
    var description: String { "\(call)(\(path)): \(Posix.name(of: code)) (\(String(cString: strerror(code))))" }
}

/// Thin wrappers over the C library for the mount tests: each throws `PosixFailure`.
enum Posix {
    /// Runs `call` and returns its result with the errno it left (0 on success).
    static func attempt<T: BinaryInteger>(_ call: () -> T) -> (result: T, errno: Int32) {
        errno = 0
        let result = call()
        return (result, result < 0 ? errno : 0)
    }

    static func lstat(_ path: String) throws -> stat {
        var status = stat()
        guard Glibc.lstat(path, &status) == 0 else { throw PosixFailure(call: "lstat", path: path, code: errno) }
        return status
    }

    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw PosixFailure(call: "realpath", path: path, code: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        guard mkdir(path, mode) == 0 else { throw PosixFailure(call: "mkdir", path: path, code: errno) }
        try changeMode(path, mode)
    }

    /// Sets the exact mode (what the umask took off included).
    static func changeMode(_ path: String, _ mode: mode_t) throws {
        guard chmod(path, mode) == 0 else { throw PosixFailure(call: "chmod", path: path, code: errno) }
    }

    /// Creates or truncates `path` with `bytes` through open/write/close (no temporary file and
    /// rename, as Foundation's atomic writes do), then sets the exact `mode`.
    static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw PosixFailure(call: "open", path: path, code: errno) }
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let code = errno
                close(fd)
                throw PosixFailure(call: "write", path: path, code: code)
            }
            done += written
        }
        guard close(fd) == 0 else { throw PosixFailure(call: "close", path: path, code: errno) }
        try changeMode(path, mode)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw PosixFailure(call: "open", path: path, code: errno) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw PosixFailure(call: "read", path: path, code: errno) }
            if count == 0 { return contents }
            contents.append(contentsOf: buffer[0..<count])
        }
    }

    static func readLink(_ path: String) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        guard count >= 0 else { throw PosixFailure(call: "readlink", path: path, code: errno) }
        return Array(buffer[0..<count])
    }

    static func symbolicLink(_ target: String, at path: String) throws {
        guard symlink(target, path) == 0 else { throw PosixFailure(call: "symlink", path: path, code: errno) }
    }

    static func hardLink(_ existing: String, at path: String) throws {
        guard link(existing, path) == 0 else { throw PosixFailure(call: "link", path: path, code: errno) }
    }

    /// The names in a directory (without . and ..) as raw bytes, sorted bytewise: compared as
    /// bytes, not as Swift strings (which would equate canonically equivalent Unicode).
    static func directoryEntries(_ path: String) throws -> [[UInt8]] {
        guard let directory = opendir(path) else { throw PosixFailure(call: "opendir", path: path, code: errno) }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        errno = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        guard errno == 0 else { throw PosixFailure(call: "readdir", path: path, code: errno) }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The symbolic name of an errno value, for messages.
    static func name(of code: Int32) -> String {
        let names: [Int32: String] = [
            EPERM: "EPERM", ENOENT: "ENOENT", EIO: "EIO", EBADF: "EBADF", EACCES: "EACCES", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV",
            ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENOSPC: "ENOSPC", EROFS: "EROFS", EMLINK: "EMLINK", ERANGE: "ERANGE",
            ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY", ENODATA: "ENODATA", ENOTSUP: "ENOTSUP",
            ENOTCONN: "ENOTCONN", ECONNABORTED: "ECONNABORTED", ETIMEDOUT: "ETIMEDOUT", EINTR: "EINTR", EAGAIN: "EAGAIN",
        ]
        return names[code] ?? "errno \(code)"
    }
}

// MARK: - Trees

/// Compares two directory trees entry by entry with lstat, the way a careful person would
/// check a copy: names (as bytes), types, modes, owners, sizes, contents, symlink targets,
/// modification times (seconds) of files and directories, and which files are hard links of
/// each other.
enum TreeComparison {
    static func differences(between expectedRoot: String, and actualRoot: String) -> [String] {
        var differences: [String] = []
        // Inode → relative paths of the multiply linked regular files on each side.
        var expectedLinks: [UInt64: [String]] = [:]
        var actualLinks: [UInt64: [String]] = [:]

        func visit(_ relative: String) {
            let label = relative.isEmpty ? "." : relative
            let expectedPath = expectedRoot + relative
            let actualPath = actualRoot + relative
            let expected: stat
            let actual: stat
            do { expected = try Posix.lstat(expectedPath) } catch { differences.append("\(label): \(error)"); return }
            do { actual = try Posix.lstat(actualPath) } catch { differences.append("\(label): \(error)"); return }
            let expectedType = expected.st_mode & S_IFMT
            let actualType = actual.st_mode & S_IFMT
            guard expectedType == actualType else {
                differences.append("\(label): type \(typeName(expectedType)) became \(typeName(actualType))")
                return
            }
            if expected.st_mode & 0o7777 != actual.st_mode & 0o7777 {
                differences.append("\(label): mode \(octal(expected.st_mode & 0o7777)) became \(octal(actual.st_mode & 0o7777))")
            }
            if expected.st_uid != actual.st_uid || expected.st_gid != actual.st_gid {
                differences.append("\(label): owner \(expected.st_uid):\(expected.st_gid) became \(actual.st_uid):\(actual.st_gid)")
            }
            let checksTime = expectedType == S_IFREG || expectedType == S_IFDIR
            if checksTime && expected.st_mtim.tv_sec != actual.st_mtim.tv_sec {
                differences.append("\(label): modification time \(expected.st_mtim.tv_sec) became \(actual.st_mtim.tv_sec)")
            }
            switch expectedType {
            case S_IFREG:
                if expected.st_size != actual.st_size { differences.append("\(label): size \(expected.st_size) became \(actual.st_size)") }
                if expected.st_nlink != actual.st_nlink { differences.append("\(label): link count \(expected.st_nlink) became \(actual.st_nlink)") }
                if expected.st_nlink > 1 { expectedLinks[UInt64(expected.st_ino), default: []].append(label) }
                if actual.st_nlink > 1 { actualLinks[UInt64(actual.st_ino), default: []].append(label) }
                do {
                    let expectedBytes = try Posix.readFile(expectedPath)
                    let actualBytes = try Posix.readFile(actualPath)
                    if expectedBytes != actualBytes {
                        let common = min(expectedBytes.count, actualBytes.count)
                        let first = (0..<common).first { expectedBytes[$0] != actualBytes[$0] } ?? common
                        differences.append("\(label): contents differ from byte \(first) (\(expectedBytes.count) bytes expected, \(actualBytes.count) read)")
                    }
                } catch {
                    differences.append("\(label): \(error)")
                }
            case S_IFLNK:
                do {
                    let expectedTarget = try Posix.readLink(expectedPath)
                    let actualTarget = try Posix.readLink(actualPath)
                    if expectedTarget != actualTarget {
                        differences.append("\(label): symlink target \(String(decoding: expectedTarget, as: UTF8.self)) became \(String(decoding: actualTarget, as: UTF8.self))")
                    }
                } catch {
                    differences.append("\(label): \(error)")
                }
            case S_IFDIR:
                let expectedNames: [[UInt8]]
                let actualNames: [[UInt8]]
                do { expectedNames = try Posix.directoryEntries(expectedPath) } catch { differences.append("\(label): \(error)"); return }
                do { actualNames = try Posix.directoryEntries(actualPath) } catch { differences.append("\(label): \(error)"); return }
                let actualSet = Set(actualNames)
                let expectedSet = Set(expectedNames)
                for name in expectedNames where !actualSet.contains(name) {
                    differences.append("\(relative)/\(String(decoding: name, as: UTF8.self)): missing from the copy")
                }
                for name in actualNames where !expectedSet.contains(name) {
                    differences.append("\(relative)/\(String(decoding: name, as: UTF8.self)): in the copy only")
                }
                for name in expectedNames where actualSet.contains(name) {
                    visit(relative + "/" + String(decoding: name, as: UTF8.self))
                }
            default:
                break
            }
        }

        visit("")
        let expectedGroups = Set(expectedLinks.values.map { Set($0) })
        let actualGroups = Set(actualLinks.values.map { Set($0) })
        for group in expectedGroups.subtracting(actualGroups) {
            differences.append("hard links \(group.sorted()) are not one inode in the copy")
        }
        for group in actualGroups.subtracting(expectedGroups) {
            differences.append("hard links \(group.sorted()) share an inode in the copy only")
        }
        return differences
    }

    /// The differences, one a line, at most `limit` of them.
    static func summary(_ differences: [String], limit: Int = 40) -> String {
        differences.prefix(limit).map { "  " + $0 }.joined(separator: "\n") + (differences.count > limit ? "\n  … and \(differences.count - limit) more" : "")
    }

    private static func octal(_ mode: mode_t) -> String { "0" + String(mode, radix: 8) }

    private static func typeName(_ type: mode_t) -> String {
        switch type {
        case S_IFREG: "regular file"
        case S_IFDIR: "directory"
        case S_IFLNK: "symbolic link"
        case S_IFIFO: "fifo"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "type \(octal(type))"
        }
    }
}

/// Trees the mount tests copy: built locally with system calls, deterministic (seeded bytes).
enum SampleTree {
    /// The relative paths of the hard-link pair `makeVaried` creates.
    static let hardLinkPair = ("hard-a", "nested/deeper/hard-b")

    /// A small tree with every kind of entry a copy must keep (about 1.2 MB): files of sizes
    /// around page and block edges, modes 0600/0755/0444, a symlink (and one whose target has
    /// spaces), a hard-link pair, an empty directory, restricted directories, nested
    /// directories, names with spaces and UTF-8.
    static func makeVaried(at root: String) throws {
        var generator = SplitMix64(seed: 0x7EE5_0001)
        try Posix.makeDirectory(root)
        for directory in ["empty-dir", "nested", "nested/deeper", "nested/deeper/deepest", "dir with spaces", "ünïcødé-目录", "private-dir", "closed-dir"] {
            try Posix.makeDirectory(root + "/" + directory)
        }
        let files: [(String, Int, mode_t)] = [
            ("empty", 0, 0o644), ("one-byte", 1, 0o644), ("page-minus-one", 4095, 0o644), ("page", 4096, 0o644),
            ("sixty-four-k-plus-one", 65537, 0o644), ("mebibyte-plus-three", (1 << 20) + 3, 0o644),
            ("private-0600", 100, 0o600), ("read-only-0444", 200, 0o444),
            ("name with spaces.txt", 333, 0o644), ("ünïcødé-名前-✓.txt", 777, 0o644),
            ("nested/deeper/deepest/leaf.txt", 12_345, 0o640), ("dir with spaces/inside ünï.bin", 8191, 0o644),
            ("private-dir/secret", 42, 0o600), ("closed-dir/inside", 10, 0o644), ("ünïcødé-目录/ファイル", 5000, 0o644),
            (hardLinkPair.0, 3000, 0o644),
        ]
        for (name, size, mode) in files { try Posix.writeFile(root + "/" + name, generator.bytes(size), mode: mode) }
        try Posix.writeFile(root + "/script-0755", Array("#!/bin/sh\necho hello\n".utf8), mode: 0o755)
        try Posix.hardLink(root + "/" + hardLinkPair.0, at: root + "/" + hardLinkPair.1)
        try Posix.symbolicLink("page", at: root + "/link-to-page")
        try Posix.symbolicLink("../../name with spaces.txt", at: root + "/nested/deeper/link with spaces")
        // Restricted directories last: their contents are written already.
        try Posix.changeMode(root + "/private-dir", 0o700)
        try Posix.changeMode(root + "/closed-dir", 0o555)
        try setPastTimes(under: root)
    }

    /// `files` files (sizes 0 to 2 × `averageBytes`, seeded) in ten directories.
    static func makeBulk(at root: String, files: Int, averageBytes: Int) throws {
        var generator = SplitMix64(seed: 0xB01C_0002)
        try Posix.makeDirectory(root)
        for directory in 0..<10 { try Posix.makeDirectory(root + "/d\(directory)") }
        for index in 0..<files {
            let size = Int(generator.next() % UInt64(2 * averageBytes))
            try Posix.writeFile(root + "/d\(index % 10)/file-\(index)", generator.bytes(size))
        }
        try setPastTimes(under: root)
    }

    /// Gives every entry its own modification time years in the past (contents before their
    /// directory, whose time a new entry would change), so a copy that does not keep times
    /// shows, however fast it runs.
    static func setPastTimes(under root: String) throws {
        var next = 1_000_000_000
        func visit(_ path: String) throws {
            if try Posix.lstat(path).st_mode & S_IFMT == S_IFDIR {
                for name in try Posix.directoryEntries(path) { try visit(path + "/" + String(decoding: name, as: UTF8.self)) }
            }
            next += 3_607
            var times = [timespec(tv_sec: next, tv_nsec: 0), timespec(tv_sec: next, tv_nsec: 0)]
            guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw PosixFailure(call: "utimensat", path: path, code: errno) }
        }
        try visit(root)
    }
}

/// Seeded bytes for trees and random tests.
extension SplitMix64 {
    mutating func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }
}
