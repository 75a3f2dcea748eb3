import Foundation

/// A small tmpfs a test mounts itself, so "disk full" is the kernel's own ENOSPC (and, with
/// `nr_inodes`, running out of inodes). Unmounted and removed when released.
public final class SmallFileSystem: @unchecked Sendable {
    public let path: String

    /// Mounts a tmpfs with `options` (e.g. "size=2m", "size=4m,nr_inodes=64"); nil if it cannot.
    public init?(options: String) {
        var template = Array((NSTemporaryDirectory() + "jbr-tmpfs-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { return nil }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]) else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
    }

    public convenience init?(bytes: Int) { self.init(options: "size=\(bytes)") }

    deinit {
        _ = Self.run("/bin/umount", ["-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Mounting needs root (and a kernel that allows it here).
    public static let canMount: Bool = SmallFileSystem(bytes: 1 << 20) != nil

    /// Fills the file system with ballast files of `chunk` bytes, then of smaller sizes down to
    /// a page, until not even a page is left (a small file still fits after coarse filling, and
    /// some writes need only that); returns them.
    public func fill(chunk: Int = 64 << 10) -> [String] {
        var files: [String] = []
        var size = chunk
        while size >= 4096 {
            let file = path + "/ballast-\(files.count)"
            if FileManager.default.createFile(atPath: file, contents: Data(count: size)) {
                files.append(file)
            } else {
                try? FileManager.default.removeItem(atPath: file)
                size /= 4
            }
        }
        return files
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
