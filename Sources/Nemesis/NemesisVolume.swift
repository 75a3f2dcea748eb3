import Foundation
import JBRClient
import JBRCore
import JBRServer
import Logging

/// The 3-brick volume a nemesis run tortures: real `jbr-server` processes on loopback (ports
/// free when probed), each brick reaching each peer through a `FaultProxy`, each brick on a
/// tmpfs of its own when this machine can mount one (for disk-full faults). Every fault has
/// its undoing here; `stop` ends every process, proxy and mount whatever state they are in.
final class NemesisVolume: @unchecked Sendable {
    static let brickCount = 3

    let root: String
    let clientVolfile: String
    let ports: [Int]
    private let server: String
    private let brickVolfiles: [String]
    private let proxies: [[FaultProxy?]]
    private let fileSystems: [BrickFileSystem?]
    private var processes: [Process?] = Array(repeating: nil, count: brickCount)
    private var paused: Set<Int> = []

    /// Whether each brick has a disk of its own to fill.
    var canFillDisks: Bool { fileSystems.allSatisfy { $0 != nil } }

    /// Makes the volume under `root` (which must not exist yet) with `server`, the `jbr-server`
    /// executable; nothing is started yet.
    static func make(root: String, server: String, diskBytes: Int?) async throws -> NemesisVolume {
        guard !FileManager.default.fileExists(atPath: root) else { throw JBRError(.EEXIST, "\(root) exists; give a folder to create") }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var fileSystems: [BrickFileSystem?] = []
        if let diskBytes {
            for number in 0..<brickCount { fileSystems.append(BrickFileSystem(path: root + "/disk\(number + 1)", bytes: diskBytes)) }
            if fileSystems.contains(where: { $0 == nil }) {
                fileSystems.forEach { $0?.unmount() }
                fileSystems = []
            }
        }
        if fileSystems.isEmpty { fileSystems = Array(repeating: nil, count: brickCount) }
        do {
            var ports: [Int] = []
            for _ in 0..<brickCount { ports.append(try LocalProcesses.freeBrickPort { !ports.contains($0) }) }
            var proxies: [[FaultProxy?]] = []
            for from in 0..<brickCount {
                var row: [FaultProxy?] = []
                for to in 0..<brickCount { row.append(from == to ? nil : try await FaultProxy.start(target: ports[to])) }
                proxies.append(row)
            }
            return try NemesisVolume(root: root, server: server, ports: ports, proxies: proxies, fileSystems: fileSystems)
        } catch {
            fileSystems.forEach { $0?.unmount() }
            throw error
        }
    }

    private init(root: String, server: String, ports: [Int], proxies: [[FaultProxy?]], fileSystems: [BrickFileSystem?]) throws {
        self.root = root
        self.server = server
        self.ports = ports
        self.proxies = proxies
        self.fileSystems = fileSystems
        let bricks = (0..<Self.brickCount).map { number in
            "127.0.0.1:\(ports[number]):" + Self.brickPath(number, root: root, onOwnDisk: fileSystems[number] != nil)
        }
        try LocalProcesses.runToEnd(server, ["volgen", "nemesis", "replica", "3"] + bricks + ["--out", root + "/vol"])
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/vol").map { root + "/vol/" + $0 }
        brickVolfiles = try (0..<Self.brickCount).map { number in
            let directory = "option directory " + Self.brickPath(number, root: root, onOwnDisk: fileSystems[number] != nil) + "\n"
            guard let file = files.first(where: { ((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "").contains(directory) }) else {
                throw JBRError(.ENOENT, "volgen wrote no volfile for brick \(number + 1)")
            }
            return file
        }
        clientVolfile = root + "/vol/nemesis.tcp-fuse.vol"
        for (from, path) in brickVolfiles.enumerated() {
            try Self.rewrite(volfile: path, from: from, ports: ports, proxies: proxies)
        }
    }

    /// Points brick `from`'s peers at the proxies for its direction, and keeps its journal small
    /// enough for a tmpfs.
    private static func rewrite(volfile path: String, from: Int, ports: [Int], proxies: [[FaultProxy?]]) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let words = line.split(separator: " ")
            guard words.count == 3, words[0] == "option" else { return String(line) }
            switch words[1] {
            case "remote-port":
                guard let to = ports.firstIndex(of: Int(words[2]) ?? -1), let proxy = proxies[from][to] else { return String(line) }
                return "    option remote-port \(proxy.port)"
            case "segment-size": return "    option segment-size 4MB"
            case "retention-bytes": return "    option retention-bytes 48MB"
            default: return String(line)
            }
        }
        // In place: the file keeps its owner-only mode.
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    private static func brickPath(_ number: Int, root: String, onOwnDisk: Bool) -> String {
        onOwnDisk ? "\(root)/disk\(number + 1)/brick" : "\(root)/b\(number + 1)"
    }

    func brickPath(_ number: Int) -> String { Self.brickPath(number, root: root, onOwnDisk: fileSystems[number] != nil) }

    func logPath(_ number: Int) -> String { root + "/brick\(number + 1).log" }

    func isRunning(_ number: Int) -> Bool { processes[number]?.isRunning ?? false }

    /// Bricks that exited by themselves (not killed by the nemesis), with their exit status;
    /// each is started again.
    func reviveExited() -> [(brick: Int, status: Int32)] {
        var exited: [(Int, Int32)] = []
        for (number, process) in processes.enumerated() {
            guard let process, !process.isRunning else { continue }
            exited.append((number, process.terminationStatus))
            processes[number] = nil
            try? start(number)
        }
        return exited
    }

    func start(_ number: Int) throws {
        guard processes[number] == nil else { return }
        processes[number] = try LocalProcesses.launch(server, ["--volfile", brickVolfiles[number], "--log-level", "info"], log: logPath(number))
    }

    /// kill -9, waiting until the process is gone.
    func kill(_ number: Int) {
        guard let process = processes[number] else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        processes[number] = nil
        paused.remove(number)
    }

    /// SIGSTOP: the brick freezes with its connections open.
    func pause(_ number: Int) {
        guard let process = processes[number] else { return }
        Foundation.kill(process.processIdentifier, SIGSTOP)
        paused.insert(number)
    }

    func resume(_ number: Int) {
        guard let process = processes[number], paused.contains(number) else { return }
        Foundation.kill(process.processIdentifier, SIGCONT)
        paused.remove(number)
    }

    /// Nothing brick `from` sends reaches brick `to` (what `to` sends still reaches `from`).
    func cut(from: Int, to: Int) {
        proxies[from][to]?.setCut(.towardTarget, true)
        proxies[to][from]?.setCut(.backFromTarget, true)
    }

    /// Brick `number` neither reaches nor hears its peers; clients still reach it.
    func isolate(_ number: Int) {
        for other in 0..<Self.brickCount where other != number {
            cut(from: number, to: other)
            cut(from: other, to: number)
        }
    }

    /// Every link between bricks restored.
    func heal() {
        for row in proxies { for proxy in row { proxy?.heal() } }
    }

    /// Fills brick `number`'s disk; the bytes of ballast written.
    @discardableResult
    func fillDisk(_ number: Int) -> Int { fileSystems[number]?.fill() ?? 0 }

    func freeDisk(_ number: Int) { fileSystems[number]?.release() }

    /// Undoes every fault: disks freed, links healed, paused bricks resumed, dead ones started.
    func restoreAll() throws {
        for number in 0..<Self.brickCount { freeDisk(number) }
        heal()
        for number in 0..<Self.brickCount {
            resume(number)
            if let process = processes[number], !process.isRunning { processes[number] = nil }
            try start(number)
        }
    }

    /// SIGTERM to every brick (SIGKILL after 10 s), proxies stopped, disks unmounted; the folder
    /// is left for the caller to keep or remove.
    func stop() async {
        for number in 0..<Self.brickCount { resume(number) }
        for process in processes.compactMap({ $0 }) where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for process in processes.compactMap({ $0 }) {
            while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        processes = Array(repeating: nil, count: Self.brickCount)
        for row in proxies { for proxy in row { await proxy?.stop() } }
    }

    /// Unmounts the bricks' disks (after `stop`); their contents go with them.
    func unmountDisks() {
        for fileSystem in fileSystems { fileSystem?.unmount() }
    }

    /// A client of the volume with its own identity and request ids.
    func makeClient(name: String, timeout: Duration, attemptTimeout: Duration) throws -> VolumeClient {
        var logger = Logger(label: name)
        logger.logLevel = .critical
        return try VolumeClient(
            configuration: ClientVolfileConfiguration(graph: VolfileParser.parse(String(contentsOfFile: clientVolfile, encoding: .utf8))),
            name: name, defaultTimeout: timeout, attemptTimeout: attemptTimeout, logger: logger)
    }
}
