import ArgumentParser
import Foundation
import JBRClient
import JBRCore

/// `jbr-client bench`: figures, not a test.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Operations/s, MB/s and latency percentiles under concurrent clients, beside the disk's own write+fdatasync.")

    @ParentCommand var tool: JBRClientTool

    @Option(help: "Concurrent clients, each with its own connection.") var clients = 32
    @Option(help: "write, create, read or mixed (70% reads).") var op = "write"
    @Option(help: "Bytes per write or read.") var size = 4096
    @Option(help: "Seconds to run.") var seconds = 10.0
    @Option(help: "Where to measure the disk baseline (default: the temporary directory).") var baselineDir: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard ClientBenchmark.Operation(rawValue: op) != nil else { throw ValidationError("--op must be write, create, read or mixed") }
        guard clients > 0, clients <= 1024 else { throw ValidationError("--clients must be 1...1024") }
        guard size > 0, size <= CodecLimits.maxDataBytes else { throw ValidationError("--size must be 1...\(CodecLimits.maxDataBytes)") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
    }

    func run() async throws {
        let text = try String(contentsOfFile: tool.volume.volfile, encoding: .utf8)
        var benchmark = ClientBenchmark(configuration: try ClientVolfileConfiguration(graph: try VolfileParser.parse(text)))
        benchmark.clients = clients
        benchmark.operation = ClientBenchmark.Operation(rawValue: op)!
        benchmark.size = size
        benchmark.seconds = seconds
        if let baselineDir { benchmark.baselineDirectory = baselineDir }
        if !json {
            benchmark.progress = { elapsed, operations in
                FileHandle.standardError.write(Data(String(format: "\r%5.1f s  %d operations", elapsed, operations).utf8))
            }
        }
        let result = try await benchmark.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print(String(format: "%@ x %d clients, %d-byte operations, %.1f s: %d operations, %d errors",
                     result.operation, result.clients, result.size, result.seconds, result.operations, result.errors))
        print(String(format: "  operations/s  %.0f    MB/s %.2f", result.operationsPerSecond, result.megabytesPerSecond))
        print(String(format: "  latency ms    p50 %.2f   p99 %.2f   p999 %.2f", result.p50Milliseconds, result.p99Milliseconds, result.p999Milliseconds))
        print(String(format: "  disk 4 KiB write+fdatasync p50 %.2f ms; p50 / disk = %.2f", result.diskWriteSyncP50Milliseconds, result.p50OverDisk))
    }
}
