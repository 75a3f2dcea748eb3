/// What one replica answers to the reconciliation query: which terms its journal holds, where it
/// ends, what it knows to be committed, and how far it has been trimmed.
///
/// Built by each brick from its journal's term table and its main store's applied mark; the
/// planner (module `Reconcile`) only compares reports, it never reads a journal. A new leader
/// asks its followers for one in a peer message, an operator's `recon` in a client request.
public struct ReplicaReport: Hashable, Sendable {
    public var replica: ReplicaID
    /// The terms the journal holds entries of, oldest first: contiguous, terms strictly
    /// increasing, the last one ending at `last`. May describe records that trimming removed (the
    /// term table keeps those boundaries); when the table was rebuilt after trimming, the first
    /// range starts at the first retained record and older terms are unknown.
    public var termRanges: [TermRange]
    /// The last record appended (`.zero` for an empty journal).
    public var last: LogPosition
    /// The highest index this replica knows to be committed.
    public var commitIndex: JournalIndex
    /// The highest index its main store has applied (applied entries are committed ones).
    public var appliedThrough: JournalIndex
    /// The first record still in the journal; everything before it is covered by the store
    /// checkpoint. `last.index + 1` when every record was trimmed.
    public var firstRetained: JournalIndex
    /// Optional checksums over fixed-size ranges of the retained records (`RangeChecksum`), so
    /// the planner can confirm agreement without shipping records. Empty when not computed.
    public var rangeChecksums: [RangeChecksum]

    /// The records of one term in a journal: `first ... last`.
    public struct TermRange: Hashable, Sendable, CustomStringConvertible {
        public var term: Term
        public var first: JournalIndex
        public var last: JournalIndex

        public init(term: Term, first: JournalIndex, last: JournalIndex) {
            self.term = term
            self.first = first
            self.last = last
        }

        public var description: String { "\(term.rawValue):\(first.rawValue)-\(last.rawValue)" }
    }

    public init(replica: ReplicaID, termRanges: [TermRange], last: LogPosition, commitIndex: JournalIndex,
                appliedThrough: JournalIndex, firstRetained: JournalIndex, rangeChecksums: [RangeChecksum] = []) {
        self.replica = replica
        self.termRanges = termRanges
        self.last = last
        self.commitIndex = commitIndex
        self.appliedThrough = appliedThrough
        self.firstRetained = firstRetained
        self.rangeChecksums = rangeChecksums
    }

    /// The highest index this replica can prove committed: what it knows committed, what its
    /// store applied (only committed entries are applied) and what it trimmed (only applied
    /// entries are trimmed).
    public var knownCommitted: JournalIndex {
        Swift.max(commitIndex, appliedThrough, firstRetained.previous)
    }

    /// True when `last` can be compared by (term, index): the journal is empty or its last term
    /// is known. A journal whose every record was trimmed after its term table was lost is not
    /// comparable.
    public var hasComparableLast: Bool { last.term != .zero || last.index == .zero }
}
