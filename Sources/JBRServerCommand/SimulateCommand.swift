import ArgumentParser
import Foundation
import JBRServer

/// `jbr-server simulate`: deterministic simulation of a replica set under faults, by seed.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run replica sets under simulated faults, one per seed, checking replication's invariants after every step.",
        discussion: """
            Each seed gives one run: three replica cores on a simulated network and disk, clients writing and reading, and \
            a plan of faults (crashes losing unsynced writes, pauses, partitions both and one way, loss, duplication, \
            reordering, slow disks, clock jumps); then everything heals and the set must converge. A failing seed is shrunk \
            to the fewest faults that still fail, and printed with its trace; exit status 1.
            """)

    @Option(help: "Run only this seed.")
    var seed: UInt64?

    @Option(help: "The first seed of a range.")
    var firstSeed: UInt64 = 1

    @Option(help: "How many seeds, from --first-seed.")
    var seeds: UInt64 = 1000

    @Option(help: "Keep only these faults of the seed's plan (indexes, comma-separated), as a shrunk failure prints them.")
    var keepFaults: String?

    @Option(help: "Faults in each run's plan.")
    var faults: Int = 12

    @Option(help: "Simulated seconds of faults (then ten healed seconds).")
    var seconds: Double = 20

    @Option(help: "Break the simulated shell on purpose, to see a check catch it: \(SimulationOptions.Sabotage.allCases.map(\.rawValue).joined(separator: ", ")).")
    var sabotage: String?

    @Flag(help: "Print the whole trace of a single seed's run, failing or not.")
    var trace = false

    @Flag(help: "One JSON summary instead of text.")
    var json = false

    func run() throws {
        var options = SimulationOptions()
        options.faults = faults
        options.faultyMicroseconds = Int64(seconds * 1_000_000)
        if let sabotage {
            guard let chosen = SimulationOptions.Sabotage(rawValue: sabotage) else { throw ValidationError("unknown sabotage '\(sabotage)'") }
            options.sabotage = chosen
        }
        let kept = try keepFaults.map { text in
            try text.split(separator: ",").map { part in
                guard let index = Int(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("bad fault index '\(part)'") }
                return index
            }
        }
        let range = seed.map { $0...$0 } ?? firstSeed...(firstSeed + max(1, seeds) - 1)
        let began = Date()
        var totals = SimulationOutcome.Statistics()
        var failures: [SimulationOutcome] = []
        for seed in range {
            let outcome = SimulationRunner.run(seed: seed, options: options, keptFaults: kept)
            add(outcome.statistics, to: &totals)
            if outcome.violation != nil {
                failures.append(SimulationRunner.minimize(outcome, options: options))
            } else if trace && self.seed != nil {
                print(outcome.report)
                outcome.trace.forEach { print("  \($0)") }
            }
        }
        let elapsed = Date().timeIntervalSince(began)
        if json {
            let summary: [String: Any] = [
                "seeds": range.count, "failed_seeds": failures.map(\.seed), "seconds": elapsed,
                "events": totals.events, "writes_acknowledged": totals.writesAcknowledged, "reads_checked": totals.readsChecked,
                "operations_given_up": totals.operationsGivenUp, "faults_injected": totals.faultsInjected, "crashes": totals.crashes,
                "leaders_elected": totals.leadersElected, "messages_sent": totals.messagesSent, "messages_lost": totals.messagesLost,
                "messages_duplicated": totals.messagesDuplicated, "committed_entries": totals.committedEntries,
                "violations": failures.map { "\($0.seed): \($0.violation.map { "\($0)" } ?? "")" },
            ]
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for failure in failures { print(failure.report) }
            print(String(
                format: "%d seeds in %.1f s: %d failed; %d events, %d writes acknowledged, %d reads checked, %d faults injected (%d crashes), %d leaders elected, %d messages (%d lost, %d duplicated)",
                range.count, elapsed, failures.count, totals.events, totals.writesAcknowledged, totals.readsChecked, totals.faultsInjected,
                totals.crashes, totals.leadersElected, totals.messagesSent, totals.messagesLost, totals.messagesDuplicated))
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }

    private func add(_ statistics: SimulationOutcome.Statistics, to totals: inout SimulationOutcome.Statistics) {
        totals.events += statistics.events
        totals.writesAcknowledged += statistics.writesAcknowledged
        totals.readsChecked += statistics.readsChecked
        totals.operationsGivenUp += statistics.operationsGivenUp
        totals.retries += statistics.retries
        totals.messagesSent += statistics.messagesSent
        totals.messagesLost += statistics.messagesLost
        totals.messagesDuplicated += statistics.messagesDuplicated
        totals.crashes += statistics.crashes
        totals.faultsInjected += statistics.faultsInjected
        totals.leadersElected += statistics.leadersElected
        totals.committedEntries += statistics.committedEntries
    }
}
