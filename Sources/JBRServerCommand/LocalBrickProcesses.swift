import Foundation
import JBRCore
import JBRServer

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
        var ports: [Int] = []
        for _ in 0..<3 { ports.append(try LocalProcesses.freeBrickPort { !ports.contains($0) }) }
        let bricks = ports.enumerated().map { "127.0.0.1:\($1):\(root)/b\($0 + 1)" }
        try LocalProcesses.runToEnd(server, ["volgen", "bench", "replica", "3"] + bricks + ["--out", root + "/vol"])
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/vol").sorted()
        brickVolfiles = try (1...3).map { number in
            guard let file = files.first(where: { $0.hasSuffix("-b\(number).vol") }) else { throw JBRError(.ENOENT, "volgen wrote no volfile for brick \(number)") }
            return root + "/vol/" + file
        }
        clientVolfile = root + "/vol/bench.tcp-fuse.vol"
    }

    func start(_ number: Int) throws {
        processes[number] = try LocalProcesses.launch(
            server, ["--volfile", brickVolfiles[number], "--log-level", "warning"], log: root + "/log\(number + 1).txt")
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
}
