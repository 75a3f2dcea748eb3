import Foundation
import JBRCore

/// A tmpfs of its own under one brick, so the nemesis can fill that brick's disk (the kernel's
/// own ENOSPC) without filling anyone else's. Mounting needs root; without it the nemesis runs
/// without disk-full faults and says so.
final class BrickFileSystem {
    let path: String
    private var ballast: [String] = []

    /// Mounts a tmpfs of `bytes` at `path` (created); nil when this machine will not mount one.
    init?(path: String, bytes: Int) {
        self.path = path
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil,
            Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
        else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
    }

    /// Writes ballast files until the file system refuses more: the brick now meets ENOSPC.
    /// Returns the bytes of ballast written.
    @discardableResult
    func fill(chunk: Int = 1 << 20) -> Int {
        var written = 0
        var size = chunk
        // Large pieces first, then smaller ones, down to a page: the last few KiB matter.
        while size >= 4096 {
            let file = path + "/ballast-\(ballast.count)"
            if FileManager.default.createFile(atPath: file, contents: Data(count: size)) {
                ballast.append(file)
                written += size
            } else {
                try? FileManager.default.removeItem(atPath: file)
                size /= 4
            }
        }
        return written
    }

    /// Removes the ballast: the disk has room again.
    func release() {
        for file in ballast { try? FileManager.default.removeItem(atPath: file) }
        ballast = []
    }

    /// Unmounts (lazily, should a process still hold a file) and removes the mount point.
    func unmount() {
        release()
        _ = Self.run("/bin/umount", ["-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
