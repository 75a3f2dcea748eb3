import JBRCore
import Reconcile

/// The replica as a pure, deterministic state machine: election (with pre-vote and check-quorum),
/// sequencing, replication, commit, deduplication and linearizable reads. No sockets, files or
/// clocks inside: inputs in, work to do out (STYLE items 2–4). The shell owns it from one
/// isolation domain and carries out each `ReplicaOutput` in the order it prescribes.
public struct ReplicaCore: Sendable {
    public let configuration: ReplicaConfiguration
    public internal(set) var hardState: HardState
    public internal(set) var role: Role
    var log: ReplicaLog
    var sessions: SessionTable
    var rng: SplitMix64

    /// Ticks since a leader was heard from (follower) or since the last check-quorum (leader).
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout: Int
    /// This replica's store is being (or must be) rebuilt by a full resync from the leader.
    var resync: ResyncNeed?
    /// The brick's file system is below its free-space reserve (`.storageLow`).
    var storageLow = false
    /// The latest wall-clock time seen, stamped on no-op entries.
    var now = Timestamp(seconds: 0)
    var ticks: UInt64 = 0

    /// The output being built by the current step.
    var output = ReplicaOutput()

    public enum Role: Sendable {
        case follower(leader: ReplicaID?)
        case preCandidate(granted: Set<ReplicaID>, refused: Set<ReplicaID>)
        case candidate(granted: Set<ReplicaID>, refused: Set<ReplicaID>)
        case leader(LeaderState)

        public var name: String {
            switch self {
            case .follower: "follower"
            case .preCandidate: "pre-candidate"
            case .candidate: "candidate"
            case .leader: "leader"
            }
        }
    }

    /// A leader's bookkeeping, gone when it steps down.
    public struct LeaderState: Sendable {
        var progress: [ReplicaID: FollowerProgress]
        /// Index of this term's no-op: reads wait until it is committed.
        var termStartIndex: JournalIndex
        /// Clients waiting for the entry at an index to be applied.
        var writers: [JournalIndex: [ClientToken]] = [:]
        /// Uncommitted or unapplied operation entries by request id (to attach retries).
        var inFlight: [RequestID: JournalIndex] = [:]
        /// When each waiting write was appended (ticks), for the no-quorum timeout.
        var appendedAt: [JournalIndex: UInt64] = [:]
        var uncommittedBytes = 0
        var readRounds: [ReadRound] = []
        var nextReadContext: UInt64 = 1
        /// Reads that arrived before this term's no-op committed.
        var readsAwaitingTermCommit: [ClientToken] = []
        /// Confirmed reads waiting for apply to reach their index.
        var readsAwaitingApply: [(index: JournalIndex, token: ClientToken)] = []
        /// The followers' latest reports in this term, and the directives planned from them.
        var reports: [ReplicaID: ReplicaReport] = [:]
        var plans: [ReplicaID: ReplicaDirective] = [:]
        /// Writes that arrived before this term's no-op committed (`heldAt` in ticks).
        var heldWrites: [(request: ClientRequest, token: ClientToken, heldAt: UInt64)] = []
    }

    struct ReadRound: Sendable {
        var context: UInt64
        var readIndex: JournalIndex
        var tokens: [ClientToken]
    }

    /// A core restored from what the brick has on disk.
    ///
    /// - Parameters:
    ///   - journal: the journal's last position and term starts, and the position before its first
    ///     record (its trim floor).
    ///   - applied: the main store's applied-through index; `recent` are the journal's entries
    ///     after it (all of them, in order).
    ///   - sessions: the request results persisted with the store's checkpoint at `applied`.
    public init(
        configuration: ReplicaConfiguration, hardState: HardState, last: LogPosition, termStarts: [(Term, JournalIndex)],
        floor: LogPosition = .zero, applied: JournalIndex = .zero, recent: [LogEntry] = [], sessions: SessionTable? = nil,
        resyncInterrupted: Bool = false, seed: UInt64
    ) {
        configuration.validate()
        precondition(hardState.term >= last.term, "persisted term \(hardState.term) below the journal's last term \(last.term)")
        self.configuration = configuration
        self.hardState = hardState
        self.role = .follower(leader: nil)
        self.log = ReplicaLog(last: last, termStarts: termStarts, floor: floor, applied: applied, recent: recent)
        self.sessions = sessions ?? SessionTable(limit: configuration.resultsPerClient)
        self.rng = SplitMix64(seed: seed)
        self.randomizedElectionTimeout = configuration.electionTicks
        if resyncInterrupted { self.resync = ResyncNeed() }
        resetElectionTimeout()
    }

    /// The one entry point: feed an input, get the work it causes.
    public mutating func step(_ input: ReplicaInput) -> ReplicaOutput {
        output = ReplicaOutput()
        switch input {
        case let .tick(now):
            self.now = max(self.now, now)
            tick()
        case let .clientWrite(request, token, now):
            self.now = max(self.now, now)
            clientWrite(request, token: token)
        case let .clientRead(token):
            clientRead(token)
        case let .peer(envelope):
            receive(envelope)
        case let .persisted(position):
            log.notePersisted(position)
            if case .leader = role { maybeCommit() }
            emitApply()
        case let .applied(index, result):
            applied(index, result: result)
        case let .journalEntries(follower, entries):
            journalEntriesArrived(for: follower, entries)
        case let .journalUnavailable(follower, _):
            journalUnavailable(for: follower)
        case let .peerLost(peer):
            peerLost(peer)
        case let .journalTrimmed(before):
            log.trimmed(before: before)
        case .reconcileNow:
            for peer in configuration.peers { replanOnReturn(of: peer) }
            broadcastAppends(heartbeat: false)
        case let .storageLow(low):
            storageLow = low
        case let .resyncInstalled(floor, sessions):
            resyncInstalled(floor: floor, sessions: sessions)
        case .resyncFailed:
            resync?.askedOf = nil
        }
        return output
    }

    // MARK: What the shell and status read

    public var term: Term { hardState.term }
    public var lastPosition: LogPosition { log.last }
    public var persistedPosition: LogPosition { log.persisted }
    public var commitIndex: JournalIndex { log.commit }
    public var appliedIndex: JournalIndex { log.applied }
    public var leader: ReplicaID? {
        switch role {
        case let .follower(leader): leader
        case .leader: configuration.id
        case .preCandidate, .candidate: nil
        }
    }
    public var isLeader: Bool {
        if case .leader = role { return true }
        return false
    }
    /// As leader, how each follower is being brought up to date (by replica id); else empty.
    public var followerRepairs: [FollowerRepair] {
        guard case let .leader(state) = role else { return [] }
        return state.progress.sorted { $0.key < $1.key }.map { id, progress in
            FollowerRepair(replicaID: id, match: progress.match, state: progress.repairState(leaderLast: log.lastIndex))
        }
    }

    // MARK: Transitions (all role changes go through here, and are reported)

    mutating func becomeFollower(term: Term, leader: ReplicaID?) {
        let wasLeader = isLeader
        if term > hardState.term { setHardState(HardState(term: term, votedFor: nil)) }
        if wasLeader { abandonLeadership(reason: "stepped down in term \(term)") }
        if case let .follower(current) = role, current == leader {
            return
        }
        role = .follower(leader: leader)
        resetElectionTimeout()
        output.events.append(.becameFollower(term: hardState.term, leader: leader))
    }

    mutating func setHardState(_ state: HardState) {
        guard state != hardState else { return }
        precondition(state.term >= hardState.term, "term went backwards: \(state.term) after \(hardState.term)")
        hardState = state
        output.hardState = state
    }

    mutating func resetElectionTimeout() {
        electionElapsed = 0
        let base = configuration.electionTicks
        randomizedElectionTimeout = base + Int.random(in: 0..<base, using: &rng)
    }

    /// Answers every waiting client of a leader that is stepping down: their entries may still
    /// commit, so they are told to retry with the same request id.
    mutating func abandonLeadership(reason: String) {
        guard case let .leader(state) = role else { return }
        let error = JBRError(.notLeader, "leadership lost: \(reason)", leaderHint: nil, term: hardState.term)
        // In index order: the same inputs give the same outputs, to the order of replies.
        for (_, tokens) in state.writers.sorted(by: { $0.key < $1.key }) { for token in tokens { output.replies.append((token, .result(.failure(error)))) } }
        for write in state.heldWrites { output.replies.append((write.token, .result(.failure(error)))) }
        let reads = state.readRounds.flatMap(\.tokens) + state.readsAwaitingTermCommit + state.readsAwaitingApply.map(\.token)
        for token in reads { output.replies.append((token, .result(.failure(error)))) }
        output.events.append(.steppedDown(term: hardState.term, reason: reason))
        role = .follower(leader: nil)
    }

    func envelope(to peer: ReplicaID, _ message: PeerMessage, term: Term? = nil) -> PeerEnvelope {
        PeerEnvelope(volumeID: configuration.volumeID, from: configuration.id, to: peer, term: term ?? hardState.term, message: message)
    }
}
