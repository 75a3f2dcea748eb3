import ArgumentParser
import Foundation
import Journal
import JBRServer

/// `jbr-server bench …`: benchmarks that print figures (JSON with --json). Not tests.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks of a brick's parts.", subcommands: [JournalBenchCommand.self, FailoverBenchCommand.self])
}

struct JournalBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Durable appends/s, MB/s, fdatasyncs/s, latency and lz4 ratio of the journal, beside the raw disk limit.")

    @Option(help: "Scratch directory (created, then removed).")
    var dir: String

    @Option(help: "Bytes per record body.")
    var recordSize = 64 << 10

    @Option(help: "Concurrent appenders.")
    var appenders = 16

    @Option(help: "Seconds per measurement (journal, then each raw variant) in each round.")
    var seconds = 3.0

    @Option(help: "Interleaved rounds; figures are medians over them.")
    var rounds = 3

    @Flag(help: "Bodies of words that lz4 compresses about 2:1 (default: random, incompressible).")
    var compressible = false

    @Option(help: "Segment preallocation: zeroFill or none.")
    var preallocation = "zeroFill"

    @Option(help: "Steady state: the journal is kept trimmed to this many bytes while it runs, so rotation reuses trimmed segments (as a brick's does once its consumers keep up); filled before the clock starts.")
    var retainedBytes = 256 << 20

    @Flag(help: "Measure a fresh journal instead: no warm-up, no trimming, every segment new.")
    var fresh = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard recordSize > 0, recordSize <= JournalLimits.maxBodyBytes else { throw ValidationError("--record-size must be 1...\(JournalLimits.maxBodyBytes)") }
        guard appenders > 0, appenders <= 4096 else { throw ValidationError("--appenders must be 1...4096") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
        guard rounds > 0, rounds <= 100 else { throw ValidationError("--rounds must be 1...100") }
        guard JournalConfiguration.Preallocation(rawValue: preallocation) != nil else { throw ValidationError("--preallocation must be zeroFill or none") }
        guard retainedBytes >= 64 << 20, retainedBytes <= 64 << 30 else { throw ValidationError("--retained-bytes must be 64 MiB...64 GiB (at least one segment)") }
    }

    func run() async throws {
        var benchmark = JournalBenchmark(directory: dir)
        benchmark.recordBytes = recordSize
        benchmark.appenders = appenders
        benchmark.seconds = seconds
        benchmark.rounds = rounds
        benchmark.compressible = compressible
        benchmark.preallocation = JournalConfiguration.Preallocation(rawValue: preallocation)!
        benchmark.retainedBytes = fresh ? nil : retainedBytes
        let result = try await benchmark.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        print("journal: \(result.appenders) appenders, \(result.recordBytes)-byte records, \(result.rounds) rounds, \(format(result.seconds)) s (medians)")
        if let retained = result.retainedBytes {
            print("  steady state: trimmed to \(retained >> 20) MiB; \(result.reusedSegments) of \(result.rotations) rotations reused a trimmed segment")
        } else {
            print("  fresh journal: \(result.rotations) rotations, every segment new")
        }
        print("  writer thread nice \(result.writerNice)")
        print("  appends/s        \(format(result.appendsPerSecond, 0))")
        print("  MB/s logical     \(format(result.logicalMBPerSecond))   stored \(format(result.storedMBPerSecond))   lz4 ratio \(format(result.lz4Ratio, 2))")
        print("  fdatasyncs/s     \(format(result.syncsPerSecond, 0))   records/sync \(format(result.recordsPerSync))")
        print("  latency µs       p50 \(format(result.p50LatencyMicroseconds, 0))   p99 \(format(result.p99LatencyMicroseconds, 0))")
        print("raw disk, same batch size:")
        print("  MB/s             preallocated \(format(result.rawPreallocatedMBPerSecond))   appending \(format(result.rawAppendingMBPerSecond))   fdatasyncs/s \(format(result.rawSyncsPerSecond, 0))")
        let perRound = (result.perRound ?? [result]).map { format($0.ratioToRaw, 2) }.joined(separator: " ")
        print("journal stored MB/s / best raw MB/s = \(format(result.ratioToRaw, 2))   (rounds: \(perRound))")
        let perRoundAppending = (result.perRound ?? [result]).map { format($0.ratioToAppendingRaw, 2) }.joined(separator: " ")
        print("journal stored MB/s / appending raw MB/s = \(format(result.ratioToAppendingRaw, 2))   (rounds: \(perRoundAppending))")
    }
}

struct FailoverBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Time from kill -9 of the leader to the first acknowledged write on the new leader (3 bricks on loopback, default settings).")

    @Option(help: "Folder for the volume (created, then removed).")
    var dir: String

    @Option(help: "Leaders killed, one per round.")
    var rounds = 5

    @Option(help: "The jbr-server the bricks run (default: this one), to compare builds side by side.")
    var server: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard rounds > 0, rounds <= 100 else { throw ValidationError("--rounds must be 1...100") }
    }

    func run() async throws {
        // The bricks run this very executable.
        let server = try self.server ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let benchmark = FailoverBenchmark(directory: dir, rounds: rounds, server: server)
        let json = self.json
        let result = try await benchmark.run { round in
            if !json { print("  killed brick \(round.killedBrick): first write acknowledged after \(String(format: "%.0f", round.milliseconds)) ms") }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("failover: \(result.rounds.count) rounds, median \(String(format: "%.0f", result.medianMilliseconds)) ms, max \(String(format: "%.0f", result.maxMilliseconds)) ms; \(result.writesAcknowledged) writes acknowledged, \(result.writesFailed) failed")
        for failure in result.failures { print("  a write failed: \(failure)") }
    }
}
