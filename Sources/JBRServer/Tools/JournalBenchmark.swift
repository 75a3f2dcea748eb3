import Foundation
import JBRCore
import Journal

/// `jbr-server bench journal`: durable appends per second, MB/s and latency of the journal under
/// concurrent appenders, measured beside the raw limit of the same disk: the same bytes written
/// sequentially with one `fdatasync` per batch of the size the journal's group commit achieved.
public struct JournalBenchmark: Sendable {
    public var directory: String
    public var recordBytes = 64 << 10
    public var appenders = 16
    public var seconds = 5.0
    /// Rounds of (journal, raw preallocated, raw appending), interleaved so that a noisy machine
    /// disturbs both sides alike; figures are medians over rounds.
    public var rounds = 3
    /// Bodies compress about 2:1 when set; random (incompressible) otherwise.
    public var compressible = false
    public var segmentBytes = 64 << 20
    public var preallocation: JournalConfiguration.Preallocation = .zeroFill
    /// Steady state: the journal is trimmed to its newest `retainedBytes` while it runs, as a
    /// brick's is once its consumers keep up, and rotation reuses the trimmed segments; an
    /// untimed warm-up fills the retained span first. Nil: a fresh journal, every segment new.
    public var retainedBytes: Int? = 256 << 20

    public init(directory: String) { self.directory = directory }

    public struct Result: Sendable, Codable {
        public var rounds: Int
        public var recordBytes: Int
        public var appenders: Int
        public var seconds: Double
        public var appends: Int
        public var appendsPerSecond: Double
        public var logicalMBPerSecond: Double
        public var storedMBPerSecond: Double
        public var syncsPerSecond: Double
        public var recordsPerSync: Double
        public var p50LatencyMicroseconds: Double
        public var p99LatencyMicroseconds: Double
        public var lz4Ratio: Double
        /// Nil for a fresh journal; else the steady state's retained bytes.
        public var retainedBytes: Int?
        /// Segments rotated to during the measurement, and how many of them were reused.
        public var rotations: Int
        public var reusedSegments: Int
        /// The nice value the journal's writer thread ran at.
        public var writerNice: Int32
        /// The raw limit: the same bytes, sequential writes, one fdatasync per batch of the
        /// journal's average batch size, into a preallocated file and into a growing one.
        public var rawPreallocatedMBPerSecond: Double
        public var rawAppendingMBPerSecond: Double
        public var rawSyncsPerSecond: Double
        /// Journal stored MB/s over the better raw MB/s (median of the rounds' ratios). The
        /// preallocated raw rewrites a span whose zeros were written before the clock started,
        /// while the journal pays for zero-filling its next segment inside the measurement.
        public var ratioToRaw: Double
        /// Journal stored MB/s over the appending raw MB/s: a log that grows, as the journal does.
        public var ratioToAppendingRaw: Double
        /// Each round's figures, in order.
        public var perRound: [Result]?
    }

    public func run() async throws -> Result {
        var results: [Result] = []
        for _ in 0..<max(1, rounds) { results.append(try await runRound()) }
        func median(_ value: (Result) -> Double) -> Double {
            let sorted = results.map(value).sorted()
            return sorted[sorted.count / 2]
        }
        var summary = results[0]
        summary.rounds = results.count
        summary.appends = results.reduce(0) { $0 + $1.appends }
        summary.rotations = results.reduce(0) { $0 + $1.rotations }
        summary.reusedSegments = results.reduce(0) { $0 + $1.reusedSegments }
        summary.seconds = results.reduce(0) { $0 + $1.seconds }
        summary.appendsPerSecond = median(\.appendsPerSecond)
        summary.logicalMBPerSecond = median(\.logicalMBPerSecond)
        summary.storedMBPerSecond = median(\.storedMBPerSecond)
        summary.syncsPerSecond = median(\.syncsPerSecond)
        summary.recordsPerSync = median(\.recordsPerSync)
        summary.p50LatencyMicroseconds = median(\.p50LatencyMicroseconds)
        summary.p99LatencyMicroseconds = median(\.p99LatencyMicroseconds)
        summary.lz4Ratio = median(\.lz4Ratio)
        summary.rawPreallocatedMBPerSecond = median(\.rawPreallocatedMBPerSecond)
        summary.rawAppendingMBPerSecond = median(\.rawAppendingMBPerSecond)
        summary.rawSyncsPerSecond = median(\.rawSyncsPerSecond)
        summary.ratioToRaw = median(\.ratioToRaw)
        summary.ratioToAppendingRaw = median(\.ratioToAppendingRaw)
        summary.perRound = results.count > 1 ? results : nil
        return summary
    }

    private func runRound() async throws -> Result {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (appends, latencies, statistics, elapsed, writerNice) = try await measureJournal()
        let batchBytes = max(4096, statistics.storedBytes / max(1, statistics.syncs))
        let raw = RawDiskBaseline(directory: directory, batchBytes: batchBytes, seconds: seconds, spanBytes: min(statistics.storedBytes, 2 << 30))
        let preallocated = try raw.measure(preallocated: true)
        let appending = try raw.measure(preallocated: false)
        let storedRate = Double(statistics.storedBytes) / elapsed / 1e6
        let bestRaw = max(preallocated.megabytesPerSecond, appending.megabytesPerSecond)
        let sorted = latencies.sorted()
        return Result(
            rounds: 1, recordBytes: recordBytes, appenders: appenders, seconds: elapsed, appends: appends,
            appendsPerSecond: Double(appends) / elapsed,
            logicalMBPerSecond: Double(statistics.logicalBytes) / elapsed / 1e6,
            storedMBPerSecond: storedRate,
            syncsPerSecond: Double(statistics.syncs) / elapsed,
            recordsPerSync: Double(statistics.recordsWritten) / Double(max(1, statistics.syncs)),
            p50LatencyMicroseconds: percentile(sorted, 0.50), p99LatencyMicroseconds: percentile(sorted, 0.99),
            lz4Ratio: Double(statistics.logicalBytes) / Double(max(1, statistics.storedBytes)),
            retainedBytes: retainedBytes, rotations: statistics.rotations, reusedSegments: statistics.reusedSegments,
            writerNice: writerNice,
            rawPreallocatedMBPerSecond: preallocated.megabytesPerSecond, rawAppendingMBPerSecond: appending.megabytesPerSecond,
            rawSyncsPerSecond: max(preallocated.syncsPerSecond, appending.syncsPerSecond),
            ratioToRaw: storedRate / bestRaw, ratioToAppendingRaw: storedRate / appending.megabytesPerSecond, perRound: nil)
    }

    private func measureJournal() async throws -> (Int, [Double], JournalStatistics, Double, Int32) {
        var configuration = JournalConfiguration(directory: directory + "/journal", volumeID: VolumeID(bytes: Array(repeating: 1, count: 16)))
        configuration.segmentBytes = segmentBytes
        configuration.preallocation = preallocation
        let journal = try Journal.open(configuration)
        let bodies = (0..<64).map { BenchmarkBodies.make(seed: UInt64($0), bytes: recordBytes, compressible: compressible) }
        let sequencer = AppendSequencer()
        if let retainedBytes {
            let warmed = retainedBytes + 2 * segmentBytes
            _ = try await drive(journal, sequencer: sequencer, bodies: bodies) { journal.statistics.storedBytes >= warmed }
        }
        let before = journal.statistics
        let start = ContinuousClock.now
        let deadline = start + .nanoseconds(Int64(seconds * 1e9))
        let latencies = try await drive(journal, sequencer: sequencer, bodies: bodies) { ContinuousClock.now >= deadline }
        let elapsed = (ContinuousClock.now - start).seconds
        let statistics = journal.statistics.since(before)
        let writerNice = journal.writerNice
        await journal.close()
        return (latencies.count, latencies, statistics, elapsed, writerNice)
    }

    /// Runs the appenders (and, in steady state, the trimmer) until `done`; returns every
    /// append's latency in microseconds.
    private func drive(_ journal: Journal, sequencer: AppendSequencer, bodies: [[UInt8]], until done: @escaping @Sendable () -> Bool) async throws -> [Double] {
        let appenders = self.appenders
        let retainedBytes = self.retainedBytes
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            for appender in 0..<appenders {
                group.addTask {
                    var latencies: [Double] = []
                    var turn = appender
                    while !done() {
                        let began = ContinuousClock.now
                        let body = journal.prepare(.operation, body: bodies[turn % bodies.count])
                        let index = try sequencer.append(body, to: journal)
                        try await journal.waitUntilDurable(index)
                        latencies.append((ContinuousClock.now - began).seconds * 1e6)
                        turn += appenders
                    }
                    return latencies
                }
            }
            if let retainedBytes {
                // A brick trims after each store checkpoint, once a second; at these rates a
                // second is gigabytes, so the benchmark trims every 20 ms to stay near retention.
                group.addTask {
                    while !done() {
                        try journal.trim(before: journal.retentionStart(bytes: retainedBytes))
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return []
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
    }

    private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
}

/// Hands out the next index and appends under one lock, as the replica core's single owner does.
final class AppendSequencer: @unchecked Sendable {
    private let lock = NSLock()
    private var next = JournalIndex(1)

    func append(_ body: PreparedBody, to journal: Journal) throws -> JournalIndex {
        lock.lock()
        defer { lock.unlock() }
        let index = next
        try journal.append(body, at: LogPosition(term: Term(1), index: index))
        next = index.next
        return index
    }
}

enum BenchmarkBodies {
    /// Random bytes, or (compressible) random words from a small vocabulary, which lz4 halves.
    static func make(seed: UInt64, bytes: Int, compressible: Bool) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var body: [UInt8] = []
        body.reserveCapacity(bytes + 16)
        if compressible {
            let words = (0..<512).map { _ in (0..<Int.random(in: 3...9, using: &generator)).map { _ in UInt8.random(in: 97...122, using: &generator) } }
            while body.count < bytes {
                body.append(contentsOf: words[Int.random(in: 0..<words.count, using: &generator)])
                body.append(32)
            }
        } else {
            while body.count < bytes { withUnsafeBytes(of: generator.next()) { body.append(contentsOf: $0) } }
        }
        return Array(body.prefix(bytes))
    }
}
