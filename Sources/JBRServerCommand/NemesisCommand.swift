import ArgumentParser
import Foundation
import Nemesis

/// `jbr-server nemesis`: a volume of real bricks on loopback under injected faults, its clients'
/// history checked afterwards.
struct NemesisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nemesis",
        abstract: "Run a 3-brick volume on loopback under faults while clients work, then check what they saw.",
        discussion: """
            Clients write registers (a staged file renamed over a name), compare-and-set them (a rename from the expected \
            name, refused unless it still names the file), append lines to them (one append operation each) and read \
            them, recording every operation. Meanwhile the nemesis \
            kills bricks (one, or two at once), pauses them, partitions them (both ways, or one way), and fills their disks \
            (each brick on a tmpfs of its own; needs root). Then everything heals: the bricks must converge to identical \
            trees, and the history must be linearizable per register with no acknowledged write lost and nothing applied \
            twice. Exit status 1 on a violation; the run's folder (logs, history.jsonl) is kept then.
            """)

    @Option(help: "Seconds of faults (then five healed seconds of operations).")
    var seconds: Double = 60

    @Option(help: "The seed choosing faults, targets and operations (default: random, printed).")
    var seed: UInt64?

    @Option(help: "Concurrent clients.")
    var clients: Int = 5

    @Option(help: "Registers of each kind: file contents, file names, appended lines.")
    var keys: Int = 4

    @Option(help: "Fault kinds to inject, comma-separated (default: all): \(NemesisFaultKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var faults: String?

    @Option(help: "The run's folder (created; removed afterwards unless kept).")
    var dir: String = NSTemporaryDirectory() + "jbr-nemesis-\(UInt32.random(in: 0...UInt32.max))"

    @Flag(help: "Keep the run's folder even when nothing was found.")
    var keep = false

    @Option(help: "The jbr-server the bricks run (default: this one).")
    var server: String?

    @Flag(help: "One JSON summary instead of text.")
    var json = false

    func run() async throws {
        var options = NemesisOptions(server: try server ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), directory: dir)
        if let seed { options.seed = seed }
        options.seconds = seconds
        options.clients = clients
        options.contentKeys = keys
        options.nameKeys = keys
        options.logKeys = keys
        options.keepDirectory = keep
        if let faults {
            options.faultKinds = try faults.split(separator: ",").map { name in
                guard let kind = NemesisFaultKind(rawValue: name.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("unknown fault kind '\(name)'") }
                return kind
            }
        }
        let quiet = json
        let report = try await NemesisRun.run(options) { line in
            if !quiet { FileHandle.standardError.write(Data("nemesis: \(line)\n".utf8)) }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: report.json, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.text)
        }
        if !report.isValid { throw ExitCode(1) }
    }
}
