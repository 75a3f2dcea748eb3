import ArgumentParser
import Foundation
import JBRCore

/// `jbr-client mount` without `--foreground`: runs this same command again with `--foreground`
/// in a session of its own (a closed terminal does not stop it), and returns once the mount is
/// there, or fails with what the mount process said.
///
/// A new process rather than fork(): this one already runs threads, and a forked copy of a
/// threaded process may deadlock.
enum MountDaemon {
    static let readyTimeout: Duration = .seconds(60)

    static func start(mountPoint: String, logFile: String?) throws {
        let log = logFile ?? NSTemporaryDirectory() + "jbr-mount-\(getpid()).log"
        let arguments = CommandLine.arguments + ["--foreground"] + (logFile == nil ? ["--log-file", log] : [])
        let pid = try spawnInNewSession(arguments, output: log)
        let deadline = ContinuousClock.now + readyTimeout
        while ContinuousClock.now < deadline {
            if MountTable.isMounted(mountPoint) {
                print("mounted at \(mountPoint) (process \(pid); unmount with: fusermount3 -u \(mountPoint))")
                if logFile == nil { try? FileManager.default.removeItem(atPath: log) }
                return
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if logFile == nil { try? FileManager.default.removeItem(atPath: log) }
                FileHandle.standardError.write(Data(said.utf8))
                throw ExitCode.failure
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(pid, SIGTERM)
        throw ValidationError("\(mountPoint) was not mounted within \(readyTimeout); see \(log)")
    }

    /// Standard error (where the log goes) appended to `path`.
    static func sendStandardError(to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ValidationError("cannot open the log file \(path): \(String(cString: strerror(errno)))") }
        dup2(descriptor, STDERR_FILENO)
        close(descriptor)
    }

    private static func spawnInNewSession(_ arguments: [String], output: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26), which Swift's Glibc module does not export.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        let cArguments = arguments.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, cArguments, environ)
        guard result == 0 else { throw ValidationError("cannot start the mount process: \(String(cString: strerror(result)))") }
        return pid
    }
}

/// What /proc/self/mountinfo says is mounted.
enum MountTable {
    /// Whether a FUSE file system is mounted at `path` (absolute).
    static func isMounted(_ path: String) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count else { continue }
            if unescape(String(fields[4])) == path && fields[separator + 1].hasPrefix("fuse") { return true }
        }
        return false
    }

    /// The kernel writes space, tab, newline and backslash in paths as octal escapes.
    private static func unescape(_ field: String) -> String {
        var bytes: [UInt8] = []
        var input = Array(field.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "\\"), input.count >= 3, let value = UInt8(String(decoding: input.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                input = input.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
