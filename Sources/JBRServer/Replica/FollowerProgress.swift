import JBRCore

/// What a leader knows of one follower (etcd's `tracker.Progress`).
struct FollowerProgress: Sendable {
    /// Highest index known to match the leader and be durable on the follower.
    var match: JournalIndex = .zero
    /// Next index to send.
    var next: JournalIndex
    var mode: Mode = .probe
    /// Appends sent and not acknowledged: (last index in it, bytes).
    var inflight: [(last: JournalIndex, bytes: Int)] = []
    var inflightBytes = 0
    /// A probe is out; wait for its answer before sending another.
    var probeSent = false
    /// A report request is out (`awaitingReport`); it is repeated with every heartbeat.
    var reportRequested = false
    /// The shell is reading entries for it from the journal.
    var awaitingJournal = false
    /// The journal no longer reaches what it needs.
    var needsResync = false
    /// Heard from since the last check-quorum.
    var recentlyActive = false
    /// Highest read context it acknowledged in this term.
    var readContextAcked: UInt64 = 0

    enum Mode: Sendable {
        /// Waiting for its report to plan its repair; nothing is sent to it but the question.
        case awaitingReport
        /// Finding where the logs match: one append at a time.
        case probe
        /// Logs match: appends pipelined up to the in-flight limit.
        case replicate
    }

    init(next: JournalIndex) { self.next = next }

    /// It answered: it counts for check-quorum, and confirms reads up to `readContext`.
    mutating func answered(readContext: UInt64) {
        recentlyActive = true
        readContextAcked = max(readContextAcked, readContext)
    }

    /// Stops sending and waits for the follower's report (a new term, or it was away).
    mutating func awaitReport() {
        mode = .awaitingReport
        reportRequested = false
        probeSent = false
        inflight = []
        inflightBytes = 0
    }

    /// Whether more appends may be sent now.
    func canSend(maxInflightBytes: Int) -> Bool {
        guard !awaitingJournal, !needsResync else { return false }
        switch mode {
        case .awaitingReport: return false
        case .probe: return !probeSent
        case .replicate: return inflightBytes < maxInflightBytes
        }
    }

    mutating func acknowledged(through index: JournalIndex) {
        while let first = inflight.first, first.last <= index {
            inflightBytes -= first.bytes
            inflight.removeFirst()
        }
    }

    /// What status shows of this follower's repair.
    func repairState(leaderLast: JournalIndex) -> FollowerRepair.State {
        if needsResync { return .needsFullResync }
        if awaitingJournal { return .readingJournal }
        switch mode {
        case .awaitingReport: return .planning
        case .probe: return .probing
        // Appends in flight are not a repair; only entries not sent yet are.
        case .replicate: return next > leaderLast ? .inSync : .catchingUp
        }
    }

    mutating func resetToProbe(next: JournalIndex) {
        self.next = max(next, match.next)
        mode = .probe
        probeSent = false
        inflight = []
        inflightBytes = 0
    }
}
