import Foundation
import HistoryChecker

/// What a nemesis run did and found.
public struct NemesisReport: Sendable {
    public var seed: UInt64
    public var faultySeconds: Double
    public var elapsedSeconds = 0.0
    public var faults: [NemesisFault] = []
    /// Fault kinds asked for that this machine cannot inject (disk-full without tmpfs).
    public var kindsUnavailable: [NemesisFaultKind] = []
    /// Leader changes seen by polling between faults (a lower bound).
    public var leaderChangesSeen = 0
    public var finalTerm: UInt64 = 0
    /// The recorded history, final reads included.
    public var history = History()
    /// Each operation recorded as failed, with the error that refused it.
    public var refusals: [String] = []
    public var check: HistoryReport?
    public var checkSeconds = 0.0
    /// Problems found outside the history: a brick that exited by itself, no convergence, brick
    /// trees that differ, a final read that failed.
    public var problems: [String] = []
    /// Where the run's folder is, when kept.
    public var keptDirectory: String?

    init(seed: UInt64, faultySeconds: Double) {
        self.seed = seed
        self.faultySeconds = faultySeconds
    }

    public var violations: [String] { problems + (check?.violations.map { "\($0)" } ?? []) }

    public var isValid: Bool { violations.isEmpty && check != nil }

    /// Operations by kind and outcome, e.g. `["write ok": 812, "cas swapped": 120]`.
    public var operationCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for operation in history where operation.client != UInt64.max && operation.client != 0 {
            counts["\(operation.kind.name) \(Self.outcomeName(operation.outcome))", default: 0] += 1
        }
        return counts
    }

    public var faultCounts: [String: Int] {
        Dictionary(grouping: faults, by: \.kind.rawValue).mapValues(\.count)
    }

    private static func outcomeName(_ outcome: OperationOutcome) -> String {
        switch outcome {
        case .ok(.swapped(true)): "swapped"
        case .ok(.swapped(false)): "not swapped"
        case .ok: "ok"
        case .failed: "failed"
        case .indeterminate: "indeterminate"
        }
    }

    public var text: String {
        var lines: [String] = []
        let operations = history.count { $0.client != UInt64.max && $0.client != 0 }
        lines.append(String(
            format: "nemesis seed %llu: %.0f s of faults, %.1f s in all; %d operations recorded, %d faults injected, %d leader changes seen, final term %llu",
            seed, faultySeconds, elapsedSeconds, operations, faults.count, leaderChangesSeen, finalTerm))
        lines.append("  operations: " + operationCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  faults: " + faultCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if !kindsUnavailable.isEmpty {
            lines.append("  not injected (this machine cannot): " + kindsUnavailable.map(\.rawValue).joined(separator: ", "))
        }
        for refusal in refusals.prefix(20) { lines.append("  \(refusal)") }
        if refusals.count > 20 { lines.append("  … \(refusals.count - 20) more refusals") }
        if let check {
            lines.append(String(format: "  history check (%.1f s): ", checkSeconds) + check.description.replacingOccurrences(of: "\n", with: "\n  "))
        } else {
            lines.append("  history not checked")
        }
        for problem in problems { lines.append("  problem: \(problem)") }
        lines.append(isValid ? "no violations" : "\(violations.count) violation(s)")
        if let keptDirectory { lines.append("run folder (volfiles, logs, history.jsonl): \(keptDirectory)") }
        return lines.joined(separator: "\n")
    }

    public var json: [String: Any] {
        [
            "seed": seed, "faulty_seconds": faultySeconds, "elapsed_seconds": elapsedSeconds,
            "operations": history.count { $0.client != UInt64.max && $0.client != 0 }, "operation_counts": operationCounts,
            "faults_injected": faults.count, "fault_counts": faultCounts, "faults": faults.map(\.description),
            "kinds_unavailable": kindsUnavailable.map(\.rawValue), "refusals": refusals, "leader_changes_seen": leaderChangesSeen, "final_term": finalTerm,
            "keys": check?.keyCount ?? 0, "keys_undecided": check?.undecidedKeys ?? [], "check_seconds": checkSeconds,
            "violations": violations, "valid": isValid, "kept_directory": keptDirectory ?? NSNull(),
        ]
    }
}
