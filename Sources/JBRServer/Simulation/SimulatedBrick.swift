import JBRCore

/// One brick of a simulated replica set: its pure core, and in memory what its shell keeps on
/// disk (hard state, journal, store with checkpoints) with what a crash does to each.
struct SimulatedBrick {
    var core: ReplicaCore
    var up = true
    /// SIGSTOPped until then: events for it wait.
    var pausedUntil: Int64 = 0
    /// Bumped by every crash: what was addressed to an earlier life is dropped.
    var life = 0
    /// Durable as soon as written (the shell writes it synchronously, before any message).
    var hardState = HardState()
    /// What the journal holds, written but not necessarily durable past `durableCount`.
    var journal: [LogEntry] = []
    var durableCount = 0
    /// A journal write and sync is under way (group commit: what is appended meanwhile goes
    /// in the next one).
    var syncing = false
    /// Messages waiting for the journal to be durable through the count they name.
    var awaitingSync: [(count: Int, message: PeerEnvelope)] = []
    /// The main store: entries applied in order, and what its last checkpoint keeps.
    var applied: [LogEntry] = []
    var appliedRequests: Set<RequestID> = []
    var sessions: SessionTable
    var checkpointedCount = 0
    var checkpointedSessions: SessionTable
    /// Seconds added to this brick's wall clock (clock jumps).
    var clockOffset: Int64 = 0
    /// The core's commit index after its last step in this life (it never goes back in one).
    var lastCommit = JournalIndex.zero

    init(core: ReplicaCore, resultsPerClient: Int) {
        self.core = core
        sessions = SessionTable(limit: resultsPerClient)
        checkpointedSessions = sessions
    }

    /// kill -9: the journal keeps its durable records and any prefix of the rest (`survivors`
    /// of them; a torn record is cut by recovery), the store its last checkpoint.
    mutating func crash(keepingUnsynced survivors: Int) {
        up = false
        life += 1
        journal.removeLast(journal.count - min(journal.count, durableCount + survivors))
        durableCount = journal.count
        awaitingSync = []
        syncing = false
        applied.removeLast(applied.count - checkpointedCount)
        appliedRequests = Set(applied.compactMap(\.request))
        sessions = checkpointedSessions
        pausedUntil = 0
    }
}
