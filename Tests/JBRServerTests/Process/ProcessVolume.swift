import Foundation
import JBRClient
import JBRCore
import JBRServer
import Logging
import Nemesis
import Synchronization
import TestSupport

/// A 3-brick volume of real `jbr-server` processes on loopback, for tests: volgen with ports the
/// OS hands out, the processes started and (always) stopped, a client, helpers to kill and
/// restart bricks. Bricks and logs live in a temporary folder removed at the end.
final class ProcessVolume: @unchecked Sendable {
    let root: String
    let ports: [Int]
    let brickVolfiles: [String]
    let clientVolfile: String
    var processes: [Process?]
    let client: VolumeClient
    /// With `peerProxies`: `proxies[from][to]` carries brick `from`'s connections to brick `to`.
    let proxies: [[FaultProxy?]]
    /// With `diskBytes`: each brick's own tmpfs, to fill.
    let disks: [SmallFileSystem]

    /// The directory holding the built executables (next to the test bundle).
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

    static var available: Bool { FileManager.default.isExecutableFile(atPath: binaries + "/jbr-server") }

    /// Runs `body` with a fresh volume, stopping every process and removing every file after it,
    /// whatever happens.
    ///
    /// - Parameters:
    ///   - brickOptions: volfile options to set on every brick (`segment-size` → `1MB`).
    ///   - peerProxies: bricks reach each other through `FaultProxy`s, so `partition` can
    ///     cut a brick off from its peers (clients still reach every brick directly).
    ///   - diskBytes: each brick on a tmpfs of its own of this size (`disks`), to fill; needs root.
    static func with<Result>(
        brickOptions: [String: String] = [:], peerProxies: Bool = false, diskBytes: Int? = nil, _ body: (ProcessVolume) async throws -> Result
    ) async throws -> Result {
        guard available else { throw JBRError(.ENOENT, "jbr-server is not built at \(binaries)") }
        let volume = try await ProcessVolume(brickOptions: brickOptions, peerProxies: peerProxies, diskBytes: diskBytes)
        do {
            try volume.startAll()
            let result = try await body(volume)
            await volume.teardown()
            return result
        } catch {
            volume.printLogTails()
            await volume.teardown()
            throw error
        }
    }

    /// The last lines of every brick's log on standard error: the folder is removed at
    /// teardown, and a failure in CI must still say what the bricks were doing. To debug a
    /// process test, `JBR_TEST_LOG_LEVEL=debug JBR_TEST_LOG_LINES=400` shows more.
    func printLogTails(lines: Int = Int(ProcessInfo.processInfo.environment["JBR_TEST_LOG_LINES"] ?? "40") ?? 40) {
        for number in 0..<3 {
            let text = (try? String(contentsOfFile: root + "/log\(number + 1).txt", encoding: .utf8)) ?? "(no log)"
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
            FileHandle.standardError.write(Data("--- brick \(number + 1) log, last \(lines) lines ---\n\(tail)\n".utf8))
        }
    }

    private init(brickOptions: [String: String], peerProxies: Bool, diskBytes: Int?) async throws {
        let root = NSTemporaryDirectory() + "jbr-processes-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var disks: [SmallFileSystem] = []
        if let diskBytes {
            for _ in 0..<3 {
                guard let disk = SmallFileSystem(bytes: diskBytes) else { throw JBRError(.EPERM, "cannot mount a tmpfs (needs root)") }
                disks.append(disk)
            }
        }
        self.disks = disks
        let brickPaths = (0..<3).map { disks.isEmpty ? "\(root)/b\($0 + 1)" : disks[$0].path + "/brick" }
        let ports = try (0..<3).map { _ in try Self.freePort() }
        let bricks = ports.enumerated().map { "127.0.0.1:\($1):\(brickPaths[$0])" }
        try Self.run(Self.binaries + "/jbr-server", ["volgen", "test", "replica", "3"] + bricks + ["--out", root + "/vol"])
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/vol").sorted()
        brickVolfiles = brickPaths.map { path in root + "/vol/" + files.first { $0.hasSuffix(path.split(separator: "/").joined(separator: "-") + ".vol") }! }
        var proxies: [[FaultProxy?]] = []
        for from in 0..<3 {
            var row: [FaultProxy?] = []
            for to in 0..<3 { row.append(peerProxies && from != to ? try await FaultProxy.start(target: ports[to]) : nil) }
            proxies.append(row)
        }
        for (from, path) in brickVolfiles.enumerated() where !brickOptions.isEmpty || peerProxies {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line in
                let words = line.split(separator: " ")
                guard words.count == 3, words[0] == "option" else { return String(line) }
                if let value = brickOptions[String(words[1])] { return "    option \(words[1]) \(value)" }
                // A peer's port (each brick has its own): through the proxy for this direction.
                if words[1] == "remote-port", let to = ports.firstIndex(of: Int(words[2]) ?? -1), let proxy = proxies[from][to] {
                    return "    option remote-port \(proxy.port)"
                }
                return String(line)
            }
            // In place: the file keeps its owner-only mode.
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        }
        clientVolfile = root + "/vol/test.tcp-fuse.vol"
        self.root = root
        self.ports = ports
        self.proxies = proxies
        processes = [nil, nil, nil]
        var logger = Logger(label: "test-client")
        logger.logLevel = .critical
        client = try VolumeClient(
            configuration: ClientVolfileConfiguration(graph: VolfileParser.parse(String(contentsOfFile: clientVolfile, encoding: .utf8))),
            defaultTimeout: .seconds(8), attemptTimeout: .seconds(1), logger: logger)
    }

    func brickPath(_ number: Int) -> String { disks.isEmpty ? "\(root)/b\(number + 1)" : disks[number].path + "/brick" }

    func startAll() throws { for number in 0..<3 { try start(number) } }

    func start(_ number: Int) throws {
        processes[number] = try LocalProcesses.launch(
            Self.binaries + "/jbr-server",
            ["--volfile", brickVolfiles[number], "--log-level", ProcessInfo.processInfo.environment["JBR_TEST_LOG_LEVEL"] ?? "info"],
            log: root + "/log\(number + 1).txt")
    }

    /// SIGSTOP: the brick freezes with its connections open (a paused leader).
    func pause(_ number: Int) {
        guard let process = processes[number] else { return }
        Foundation.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT.
    func resume(_ number: Int) {
        guard let process = processes[number] else { return }
        Foundation.kill(process.processIdentifier, SIGCONT)
    }

    /// kill -9.
    func kill(_ number: Int) {
        guard let process = processes[number] else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        processes[number] = nil
    }

    /// The brick that leads, waiting (bounded) until exactly one does.
    func leader(within timeout: Duration = .seconds(20)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let leaders = await client.status(timeout: .seconds(1)).enumerated().compactMap { number, entry in
                (try? entry.status.get())?.role == "leader" ? number : nil
            }
            if leaders.count == 1 { return leaders[0] }
            for (number, process) in processes.enumerated() {
                if let process, !process.isRunning {
                    throw JBRError(.EIO, "brick \(number + 1) exited with status \(process.terminationStatus) while waiting for a leader")
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw JBRError(.timedOut, "no single leader within \(timeout); logs in \(root)")
    }

    /// Cuts brick `number` off from the other bricks, both ways (with `peerProxies`).
    func partition(_ number: Int) {
        for other in 0..<3 where other != number {
            for direction in ProxyDirection.allCases {
                proxies[number][other]?.setCut(direction, true)
                proxies[other][number]?.setCut(direction, true)
            }
        }
    }

    /// Restores every link between bricks.
    func heal() {
        for row in proxies { for proxy in row { proxy?.heal() } }
    }

    func teardown() async {
        await client.close()
        for row in proxies { for proxy in row { await proxy?.stop() } }
        for process in processes.compactMap({ $0 }) where process.isRunning {
            Foundation.kill(process.processIdentifier, SIGCONT)  // a paused brick cannot act on SIGTERM
            process.terminate()
        }
        let deadline = Date().addingTimeInterval(10)
        for process in processes.compactMap({ $0 }) {
            while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }
        processes = [nil, nil, nil]
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Brick ports handed out by this test process, never handed out twice.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A brick port that is free right now (see `LocalProcesses.freeBrickPort`), never handed
    /// out twice by this test process.
    static func freePort() throws -> Int {
        try LocalProcesses.freeBrickPort { port in handedOut.withLock { $0.insert(port).inserted } }
    }

    /// Runs one of the built executables to completion, with standard input, output and error in
    /// files under the volume's folder (no pipe can fill and stall it).
    func runTool(_ name: String, _ arguments: [String], input: String = "") throws -> (status: Int32, output: String, errors: String) {
        let stem = root + "/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        for (suffix, contents) in [(".in", Data(input.utf8)), (".out", Data()), (".err", Data())] {
            guard FileManager.default.createFile(atPath: stem + suffix, contents: contents) else { throw JBRError(.EIO, "cannot create \(stem + suffix)") }
        }
        defer { for suffix in [".in", ".out", ".err"] { try? FileManager.default.removeItem(atPath: stem + suffix) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binaries + "/" + name)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stem + ".in"))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stem + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stem + ".err"))
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: FileManager.default.contents(atPath: stem + ".out") ?? Data(), as: UTF8.self)
        let errors = String(decoding: FileManager.default.contents(atPath: stem + ".err") ?? Data(), as: UTF8.self)
        return (process.terminationStatus, output, errors)
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        try LocalProcesses.runToEnd(tool, arguments)
    }
}
