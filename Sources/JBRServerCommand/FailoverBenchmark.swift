import Foundation
import JBRClient
import JBRCore
import Logging
import Synchronization

/// Time from kill -9 of the leader to the first acknowledged write on the new leader, with
/// default settings, on a 3-brick volume of real processes on loopback.
///
/// One client writes 4 KiB at a time without pause. Each round waits for a single leader and a
/// steady stream of acknowledged writes, kills the leader, and measures from the kill to the
/// acknowledgement of the first write the client started after it (earlier ones may have been
/// answered by the dying leader). The killed brick is then restarted and allowed to catch up.
struct FailoverBenchmark {
    var directory: String
    var rounds = 5
    /// The `jbr-server` executable the bricks run.
    var server: String

    struct Round: Codable {
        var killedBrick: Int
        var milliseconds: Double
    }

    struct Result: Codable {
        var rounds: [Round]
        var medianMilliseconds: Double
        var maxMilliseconds: Double
        var writesAcknowledged: Int
        var writesFailed: Int
        /// Why writes failed, each reason once.
        var failures: [String]
    }

    /// What the writer shares with the rounds.
    private struct Progress {
        var acknowledged = 0
        var failed = 0
        var failures: [String] = []
        var killedAt: ContinuousClock.Instant?
        var firstAfterKill: Duration?
    }

    func run(report: (Round) -> Void) async throws -> Result {
        let volume = try LocalBrickProcesses(root: directory, server: server)
        defer { volume.stop() }
        for number in 0..<3 { try volume.start(number) }
        var logger = Logger(label: "failover-bench")
        logger.logLevel = .critical
        let client = try VolumeClient(
            configuration: ClientVolfileConfiguration(graph: VolfileParser.parse(String(contentsOfFile: volume.clientVolfile, encoding: .utf8))),
            logger: logger)
        let progress = Mutex(Progress())
        let writer = Task {
            let file = try await client.openFile("/failover")
            let data = [UInt8](repeating: 0x5A, count: 4096)
            var offset: UInt64 = 0
            while !Task.isCancelled {
                let started = ContinuousClock.now
                do {
                    try await client.write(data, toFile: file.gfid, at: offset)
                } catch {
                    // The benchmark is over: the write was stopped, not failed.
                    if Task.isCancelled { break }
                    progress.withLock { state in
                        state.failed += 1
                        if !state.failures.contains("\(error)") && state.failures.count < 10 { state.failures.append("\(error)") }
                    }
                    continue
                }
                let done = ContinuousClock.now
                offset = (offset + 4096) % (64 << 20)
                progress.withLock { state in
                    state.acknowledged += 1
                    if let killed = state.killedAt, started >= killed, state.firstAfterKill == nil { state.firstAfterKill = done - killed }
                }
            }
        }
        defer { writer.cancel() }
        var results: [Round] = []
        for _ in 0..<rounds {
            let leader = try await Self.leader(of: client, within: .seconds(30))
            // A second of steady writes first, so the kill lands in the middle of the stream.
            let before = progress.withLock { $0.acknowledged }
            try await Task.sleep(for: .seconds(1))
            guard progress.withLock({ $0.acknowledged }) > before else {
                throw JBRError(.timedOut, "no write acknowledged in a second before the kill; logs in \(directory)")
            }
            progress.withLock { $0.killedAt = ContinuousClock.now }
            volume.kill(leader)
            let deadline = ContinuousClock.now + .seconds(30)
            var measured: Duration?
            while measured == nil {
                guard ContinuousClock.now < deadline else { throw JBRError(.timedOut, "no write acknowledged within 30 s of the kill") }
                try await Task.sleep(for: .milliseconds(5))
                measured = progress.withLock { $0.firstAfterKill }
            }
            progress.withLock { state in
                state.killedAt = nil
                state.firstAfterKill = nil
            }
            let round = Round(killedBrick: leader + 1, milliseconds: Double(measured!.components.attoseconds) / 1e15 + Double(measured!.components.seconds) * 1e3)
            results.append(round)
            report(round)
            try volume.start(leader)
            try await Self.waitForCatchUp(client, within: .seconds(60))
        }
        writer.cancel()
        _ = await writer.result
        await client.close()
        let sorted = results.map(\.milliseconds).sorted()
        let counts = progress.withLock { ($0.acknowledged, $0.failed, $0.failures) }
        return Result(
            rounds: results, medianMilliseconds: sorted[sorted.count / 2], maxMilliseconds: sorted.last!, writesAcknowledged: counts.0,
            writesFailed: counts.1, failures: counts.2)
    }

    /// The number (0-based) of the one brick that leads, once exactly one does.
    private static func leader(of client: VolumeClient, within limit: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let leaders = await client.status(timeout: .seconds(1)).compactMap { brick, status in
                (try? status.get())?.role == "leader" ? brick.path : nil
            }
            if leaders.count == 1, let number = (1...3).first(where: { leaders[0].hasSuffix("/b\($0)") }) { return number - 1 }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw JBRError(.timedOut, "no single leader within \(limit)")
    }

    /// Until every brick answers and has applied what the leader had committed when asked.
    private static func waitForCatchUp(_ client: VolumeClient, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let statuses = await client.status(timeout: .seconds(1)).compactMap { try? $0.status.get() }
            if statuses.count == 3, let leader = statuses.first(where: { $0.role == "leader" }),
                statuses.allSatisfy({ $0.applied.rawValue + 100 >= leader.commit.rawValue })
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw JBRError(.timedOut, "the restarted brick did not catch up within \(limit)")
    }
}
