/// How a simulated run ended: the first invariant it broke (if any), what it did, and the
/// trace leading there.
public struct SimulationOutcome: Sendable {
    public struct Violation: Sendable, CustomStringConvertible {
        /// A stable name for the invariant, so shrinking keeps the same failure.
        public var invariant: String
        public var detail: String
        public var time: Int64

        public var description: String { "\(invariant) at \(SimulatedFault.format(time)): \(detail)" }
    }

    public struct Statistics: Sendable, Codable, Equatable {
        public var events = 0
        public var writesAcknowledged = 0
        public var readsChecked = 0
        public var operationsGivenUp = 0
        public var retries = 0
        public var messagesSent = 0
        public var messagesLost = 0
        public var messagesDuplicated = 0
        public var crashes = 0
        public var faultsInjected = 0
        public var leadersElected = 0
        public var committedEntries = 0

        public init() {}
    }

    public var seed: UInt64
    public var faults: [SimulatedFault]
    /// The indexes in the seed's plan of the faults this run kept (nil: all of them).
    public var keptFaults: [Int]?
    public var violation: Violation?
    public var statistics: Statistics
    /// The newest lines of the run's trace (faults, roles, client operations).
    public var trace: [String]

    /// A report to print for a failed run: the seed, the faults, the violation and the trace.
    public var report: String {
        var lines = ["seed \(seed): " + (violation.map { "VIOLATION \($0)" } ?? "ok")]
        lines.append("faults (\(faults.count)):")
        lines += faults.map { "  \($0)" }
        if violation != nil {
            lines.append("trace (newest \(trace.count) lines):")
            lines += trace.map { "  \($0)" }
            let keeping = keptFaults.map { " --keep-faults " + $0.map(String.init).joined(separator: ",") } ?? ""
            lines.append("reproduce: jbr-server simulate --seed \(seed)\(keeping)")
        }
        return lines.joined(separator: "\n")
    }
}
