import Foundation
import JBRCore

/// Three `jbr-server` processes of a volume made on loopback for a benchmark: volgen on ports
/// free when probed, the processes started, killed and restarted, and always stopped. Everything
/// lives under one folder, removed by `stop`.
final class LocalBrickProcesses {
    let root: String
    let clientVolfile: String
    private let server: String
    private let brickVolfiles: [String]
    private var processes: [Process?] = [nil, nil, nil]

    /// Makes the volume's volfiles under `root` (which must not exist yet) with `server`, the
    /// `jbr-server` executable.
    init(root: String, server: String) throws {
        guard !FileManager.default.fileExists(atPath: root) else { throw JBRError(.EEXIST, "\(root) exists; give a folder to create") }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        self.root = root
        self.server = server
        let ports = try Self.freePorts(3)
        let bricks = ports.enumerated().map { "127.0.0.1:\($1):\(root)/b\($0 + 1)" }
        try Self.runToEnd(server, ["volgen", "bench", "replica", "3"] + bricks + ["--out", root + "/vol"])
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/vol").sorted()
        brickVolfiles = try (1...3).map { number in
            guard let file = files.first(where: { $0.hasSuffix("-b\(number).vol") }) else { throw JBRError(.ENOENT, "volgen wrote no volfile for brick \(number)") }
            return root + "/vol/" + file
        }
        clientVolfile = root + "/vol/bench.tcp-fuse.vol"
    }

    func start(_ number: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["--volfile", brickVolfiles[number], "--log-level", "warning"]
        let log = root + "/log\(number + 1).txt"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes[number] = process
    }

    /// kill -9, waiting for the process to be gone.
    func kill(_ number: Int) {
        guard let process = processes[number] else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        processes[number] = nil
    }

    /// SIGTERM to every brick, SIGKILL to any still running after 10 s; then the folder goes.
    func stop() {
        for process in processes.compactMap({ $0 }) where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for process in processes.compactMap({ $0 }) {
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        processes = [nil, nil, nil]
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Brick ports free when probed, each with its metrics port (volgen: +10,000) free too,
    /// below Linux's ephemeral range so no outgoing connection takes one meanwhile.
    private static func freePorts(_ count: Int) throws -> [Int] {
        var ports: Set<Int> = []
        for _ in 0..<1000 where ports.count < count {
            let port = Int.random(in: 10_000..<22_000)
            if canBind(port) && canBind(port + 10_000) { ports.insert(port) }
        }
        guard ports.count == count else { throw JBRError(.EIO, "no \(count) free port pairs below the ephemeral range") }
        return ports.sorted()
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    private static func runToEnd(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw JBRError(.EIO, "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
    }
}
