/// What one simulated run looks like: the replica set, its clients, how long faults are
/// injected, and how long everything then runs healed (when it must converge).
///
/// Times are simulated microseconds.
public struct SimulationOptions: Sendable {
    public var replicas = 3
    public var clients = 3
    /// Faults are injected from the start until then; clients start operations until then.
    public var faultyMicroseconds: Int64 = 20_000_000
    /// Then everything is healed, and the set must converge within this.
    public var healedMicroseconds: Int64 = 10_000_000
    /// Faults in the plan (each one starts and, for most kinds, ends within the faulty time).
    public var faults = 12
    /// The interval of every brick's tick (as a brick's timer).
    public var tickMicroseconds: Int64 = 10_000
    /// A client gives an attempt this long before it tries another brick with the same id.
    public var attemptMicroseconds: Int64 = 300_000
    /// A client gives up an operation after this long (its outcome is then unknown).
    public var operationMicroseconds: Int64 = 4_000_000
    /// One in this many client operations is a read; the rest are writes.
    public var readEvery = 3
    /// Store checkpoints (what survives a crash of the store's page cache) this often.
    public var checkpointMicroseconds: Int64 = 1_000_000
    /// A deliberate defect in the simulated shell, to show the checks catch what they claim.
    public var sabotage: Sabotage?
    /// The trace lines kept for a report (the newest).
    public var traceLines = 400

    public enum Sabotage: String, Sendable, CaseIterable {
        /// Acknowledgements (and votes) leave before the journal write is durable.
        case acknowledgesBeforeSync = "acknowledges-before-sync"
        /// Every brick serves reads from its own store at once, without asking its core.
        case servesReadsLocally = "serves-reads-locally"
    }

    public init() {}
}
