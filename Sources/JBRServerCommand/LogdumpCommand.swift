import ArgumentParser
import Foundation
import JBRCore
import JBRServer

/// `jbr-server logdump BRICK_DIR`: prints every journal record; exits 2 if it found damage.
struct LogdumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logdump",
        abstract: "Print every record of a brick's journal (position, type, operation, sizes, codec).",
        discussion: "Damage is reported where it is found and the dump continues after it; the exit status is 2 if any was found.")

    @Argument(help: "The brick directory (its journal is BRICK/.jbr/journal), or a journal directory.")
    var brick: String

    @Option(help: "First index to print.")
    var from: UInt64?

    @Option(help: "Last index to print.")
    var through: UInt64?

    @Flag(help: "One JSON object per line instead of text.")
    var json = false

    func run() throws {
        let directory = Logdump.journalDirectory(forBrick: brick)
        let dump = Logdump(from: from.map { JournalIndex($0) }, through: through.map { JournalIndex($0) }, json: json)
        let summary = try dump.run(directory: directory) { print($0) }
        if !json {
            let terms = summary.terms.map { String($0.rawValue) }.joined(separator: ", ")
            print("--- \(summary.records) records in terms [\(terms)], \(summary.damaged) damaged stretches")
        }
        if summary.damaged > 0 { throw ExitCode(2) }
    }
}
