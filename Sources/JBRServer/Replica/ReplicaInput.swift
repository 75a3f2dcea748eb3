import JBRCore
import Reconcile

/// Everything that can happen to a replica. Time arrives as ticks (with the wall clock the leader
/// stamps on entries), randomness is the core's seeded generator: the same inputs always give
/// the same outputs (architecture rule 7).
public enum ReplicaInput: Sendable {
    case tick(now: Timestamp)
    /// A modifying request. `now` is the arrival time, stamped on the entry as its sequencing time.
    case clientWrite(ClientRequest, token: ClientToken, now: Timestamp)
    /// A read: answered with `.readReady` once it is safe to serve from the local store.
    case clientRead(token: ClientToken)
    case peer(PeerEnvelope)
    /// The local journal is durable through this position.
    case persisted(through: LogPosition)
    /// The main store applied the entry at `index`; `result` for operations, nil for no-ops.
    case applied(index: JournalIndex, result: OperationResult?)
    /// The entries a `readJournal` asked for (the first is at the requested index).
    case journalEntries(for: ReplicaID, entries: [LogEntry])
    /// The journal no longer holds what a `readJournal` asked for (trimmed).
    case journalUnavailable(for: ReplicaID, from: JournalIndex)
    /// The connection to a peer closed or was refused: its process is likely gone (a kill or a
    /// crash closes its sockets at once). A hint only; safety never depends on it.
    case peerLost(ReplicaID)
    /// The journal trimmed its records before `before` (they are in a store checkpoint).
    case journalTrimmed(before: JournalIndex)
    /// An operator asked the leader to plan every follower's repair again (`recon`).
    case reconcileNow
    /// The brick's file system went below (true) or back above (false) its free-space reserve:
    /// while below, new writes that add data are refused with ENOSPC before they are sequenced.
    case storageLow(Bool)
    /// A full resync rebuilt the store at `floor` (the journal is empty after it) with the
    /// leader's request results: replication continues from there.
    case resyncInstalled(floor: LogPosition, sessions: SessionTable)
    /// The resync the core asked for (`startResync`) failed; ask again when the leader speaks.
    case resyncFailed
}

/// What the core wants done, in the order the fields are listed (STYLE item 3):
/// persist `hardState`, `truncate`, make `append` durable — then send `sendAfterPersist`.
/// `sendNow` may go at once; `apply` goes to the main store in order; `replies` to clients.
public struct ReplicaOutput: Sendable {
    /// Persist durably before sending anything in `sendAfterPersist`.
    public var hardState: HardState?
    /// Cut the journal after this index (an uncommitted, divergent suffix) before appending.
    public var truncateAfter: JournalIndex?
    /// Append to the journal in order; report `.persisted` when durable.
    public var append: [LogEntry] = []
    /// Send once `hardState` and every append so far are durable (votes, acknowledgements).
    public var sendAfterPersist: [PeerEnvelope] = []
    /// Safe to send at once (a leader's appends and heartbeats).
    public var sendNow: [PeerEnvelope] = []
    /// Committed entries to apply to the main store, in index order; report `.applied`.
    public var apply: [LogEntry] = []
    public var replies: [(token: ClientToken, reply: ClientAnswer)] = []
    /// Read `from...` (up to `maxBytes`) back from the journal for `follower`; answer with
    /// `.journalEntries` or `.journalUnavailable`.
    public var readJournal: [(follower: ReplicaID, from: JournalIndex, maxBytes: Int)] = []
    /// Followers whose needs the journal no longer reaches: they need a full resync.
    public var resyncNeeded: [ReplicaID] = []
    /// Rebuild this replica's store from this leader's (a full resync); report how it ended
    /// with `.resyncInstalled` or `.resyncFailed`.
    public var startResync: ReplicaID?
    /// The commit index advanced to this (the journal's truncation floor).
    public var committed: JournalIndex?
    /// What happened, for logs and metrics (the shell records them; the core keeps no counters).
    public var events: [ReplicaEvent] = []

    public var isEmpty: Bool {
        hardState == nil && truncateAfter == nil && append.isEmpty && sendAfterPersist.isEmpty && sendNow.isEmpty
            && apply.isEmpty && replies.isEmpty && readJournal.isEmpty && resyncNeeded.isEmpty && startResync == nil && committed == nil && events.isEmpty
    }
}

/// How a client request is answered.
public enum ClientAnswer: Hashable, Sendable {
    /// A write's outcome (or an error such as not-leader, no quorum, overloaded).
    case result(OperationResult)
    /// A read may now be served from the local store: leadership was confirmed after it
    /// arrived and everything committed before it is applied.
    case readReady
}

public enum ReplicaEvent: Hashable, Sendable {
    case becameFollower(term: Term, leader: ReplicaID?)
    case becamePreCandidate(term: Term)
    case becameCandidate(term: Term)
    case becameLeader(term: Term)
    case steppedDown(term: Term, reason: String)
    case droppedMessage(from: ReplicaID, reason: String)
    case writeRefused(JBRError.Code)
    /// The leader planned a follower's repair from its report.
    case planned(follower: ReplicaID, ReplicaDirective)
    /// Not enough reports yet to plan a follower's repair (asked again with each heartbeat).
    case planDeferred(follower: ReplicaID, reason: String)
    /// The reports contradict replication's invariants: the follower is left to log matching.
    case planRefused(follower: ReplicaID, reason: String)
    /// This replica's store is to be rebuilt from `leader`'s (a full resync).
    case resyncStarted(leader: ReplicaID)
    /// The resync rebuilt the store at `floor`.
    case resyncInstalled(floor: LogPosition)
}
