import Foundation
import JBRCore
import Logging
import NIOCore

/// `jbr-client bench`: operations per second, MB/s and latency percentiles of a volume under N
/// concurrent clients (each its own connection), beside the disk's own p50 for a 4 KiB
/// `write` + `fdatasync` (the baseline of a single client's durable write).
public struct ClientBenchmark: Sendable {
    public enum Operation: String, Sendable, CaseIterable {
        case write, create, read, mixed
    }

    public var configuration: ClientVolfileConfiguration
    public var clients = 32
    public var operation = Operation.write
    public var size = 4096
    public var seconds = 10.0
    /// Where to measure the disk baseline (the bricks' file system, ideally).
    public var baselineDirectory = NSTemporaryDirectory()
    /// Called about once a second with (seconds elapsed, operations so far).
    public var progress: (@Sendable (Double, Int) -> Void)?

    public init(configuration: ClientVolfileConfiguration) { self.configuration = configuration }

    public struct Result: Sendable, Codable {
        public var operation: String
        public var clients: Int
        public var size: Int
        public var seconds: Double
        public var operations: Int
        public var errors: Int
        public var operationsPerSecond: Double
        public var megabytesPerSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var p999Milliseconds: Double
        /// The disk's p50 for a 4 KiB pwrite + fdatasync, and p50 over it.
        public var diskWriteSyncP50Milliseconds: Double
        public var p50OverDisk: Double
    }

    public func run() async throws -> Result {
        var logger = Logger(label: "jbr-bench")
        logger.logLevel = .critical
        let clients = try (0..<self.clients).map { number in
            try VolumeClient(configuration: configuration, name: "bench-\(number)", defaultTimeout: .seconds(30), logger: logger)
        }
        defer { Task { for client in clients { await client.close() } } }
        let (directory, files) = try await prepare(clients)
        // Before the load, while the bricks are idle: after it, their checkpoint's flush would
        // be measured too.
        let disk = try DiskSyncBaseline.p50Milliseconds(directory: baselineDirectory)
        let payload = ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131) })
        let counter = Counter()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        let reporter = progress.map { report in
            Task {
                while !Task.isCancelled && ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .seconds(1))
                    report((ContinuousClock.now - start).seconds, counter.total)
                }
            }
        }
        let perClient = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for (number, client) in clients.enumerated() {
                // On the client's own event loop, as an application that cares for latency runs
                // it: a call wakes no other thread.
                group.addTask(executorPreference: client.executor) {
                    try await self.drive(client, number: number, directory: directory, file: files[number], payload: payload, until: deadline, counter: counter)
                }
            }
            return try await group.reduce(into: [([Double], Int)]()) { $0.append($1) }
        }
        reporter?.cancel()
        let elapsed = (ContinuousClock.now - start).seconds
        let latencies = perClient.flatMap(\.0).sorted()
        func percentile(_ fraction: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * fraction))]
        }
        return Result(
            operation: operation.rawValue, clients: self.clients, size: size, seconds: elapsed, operations: latencies.count,
            errors: perClient.reduce(0) { $0 + $1.1 }, operationsPerSecond: Double(latencies.count) / elapsed,
            megabytesPerSecond: operation == .create ? 0 : Double(latencies.count * size) / elapsed / 1e6,
            p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99), p999Milliseconds: percentile(0.999),
            diskWriteSyncP50Milliseconds: disk, p50OverDisk: disk > 0 ? percentile(0.5) / disk : 0)
    }

    /// A directory for the run and one file per client, filled for reads.
    private func prepare(_ clients: [VolumeClient]) async throws -> (GFID, [FileAttributes]) {
        let directory = "/bench-\(UInt32.random(in: 0...UInt32.max))"
        let made = try await clients[0].makeDirectory(directory)
        var files: [FileAttributes] = []
        for number in clients.indices {
            let path = "\(directory)/file-\(number)"
            try await clients[0].writeFile(path, data: [UInt8](repeating: 7, count: max(size, 1 << 20)))
            files.append(try await clients[0].attributes(of: path))
        }
        return (made.gfid, files)
    }

    private func drive(_ client: VolumeClient, number: Int, directory: GFID, file: FileAttributes, payload: ByteBuffer, until deadline: ContinuousClock.Instant, counter: Counter) async throws -> ([Double], Int) {
        var latencies: [Double] = []
        var errors = 0
        var sequence = 0
        var generator = SystemRandomNumberGenerator()
        while ContinuousClock.now < deadline {
            let offset = UInt64((sequence * size) % (1 << 20))
            let began = ContinuousClock.now
            do {
                switch operation {
                case .write:
                    _ = try await client.write(.write(gfid: file.gfid, offset: offset, data: payload))
                case .create:
                    _ = try await client.write(.create(EntryLocation(parent: directory, name: try FileName("c\(number)-\(sequence)")),
                                                        gfid: .null, permissions: 0o644, owner: Owner(uid: 0, gid: 0), exclusive: true))
                case .read:
                    _ = try await client.read(.read(gfid: file.gfid, offset: offset, length: UInt32(size)))
                case .mixed:
                    if Int.random(in: 0..<10, using: &generator) < 7 {
                        _ = try await client.read(.read(gfid: file.gfid, offset: offset, length: UInt32(size)))
                    } else {
                        _ = try await client.write(.write(gfid: file.gfid, offset: offset, data: payload))
                    }
                }
                latencies.append((ContinuousClock.now - began).seconds * 1000)
                counter.add()
            } catch {
                errors += 1
            }
            sequence += 1
        }
        return (latencies, errors)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var total: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// The disk's p50 latency of a 4 KiB `pwrite` + `fdatasync`: what one durable write costs
/// without any replication.
enum DiskSyncBaseline {
    /// Over 2,000 appends (about 0.4 s): on this machine's ext4 the first few hundred of a new
    /// file sync faster (p50 0.12-0.19 ms over 400 samples, run to run) than the steady state
    /// that follows (0.18-0.20 ms for every later 500), so a short sample is mostly noise.
    static func p50Milliseconds(directory: String, samples: Int = 2000) throws -> Double {
        let path = (directory as NSString).appendingPathComponent("jbr-disk-baseline-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JBRError(.EIO, "cannot open \(path) for the disk baseline") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        var latencies: [Double] = []
        for sample in 0..<samples {
            let began = ContinuousClock.now
            guard pwrite(fd, block, block.count, off_t(sample * 4096)) == block.count, fdatasync(fd) == 0 else {
                throw JBRError(.EIO, "disk baseline write failed")
            }
            latencies.append((ContinuousClock.now - began).seconds * 1000)
        }
        latencies.sort()
        return latencies[latencies.count / 2]
    }
}
