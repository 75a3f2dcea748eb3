import JBRCore

extension ReconciliationPlanner {
    /// The last index where `replica`'s journal agrees with the authority's: everything after it
    /// on the replica is divergent, everything after it on the authority is missing there.
    ///
    /// Found from terms as Kafka's leader epochs do: the largest term both hold ends the
    /// agreement at the lower of the two ends of that term (Raft's log matching: the same term
    /// at the same index means the same prefix). Where the authority no longer knows the terms
    /// of its records (trimmed after its term table was lost), the replica's committed entries
    /// are taken as agreeing, since committed entries are the same everywhere.
    ///
    /// Throws `.inconsistent` if the agreement would end below an entry the replica knows
    /// committed, or if terms or checksums contradict each other.
    static func agreementPoint(of replica: ReplicaReport, with authority: ReplicaReport) throws(Refusal) -> JournalIndex {
        try checkSharedTerms(replica, authority)
        let byTerms = termAgreement(replica, authority)
        let byCommit = min(replica.knownCommitted, authority.firstKnownTermIndex.previous)
        let agreed = max(byTerms, byCommit)
        guard agreed >= replica.knownCommitted else {
            throw .inconsistent(
                "\(replica.replica) agrees with the authority \(authority.replica) only through \(agreed) but knows "
                    + "\(replica.knownCommitted) committed: truncating after \(agreed) would cut committed entries")
        }
        try checkChecksums(replica, authority, agreedThrough: agreed, foundByTerms: agreed == byTerms)
        return agreed
    }

    /// Agreement from terms alone: the end of the largest shared term, or, if none is shared,
    /// what precedes the replica's known terms (its trimmed, committed records; 0 if none).
    static func termAgreement(_ replica: ReplicaReport, _ authority: ReplicaReport) -> JournalIndex {
        for mine in replica.termRanges.reversed() {
            if let theirs = authority.range(of: mine.term) { return min(mine.last, theirs.last) }
        }
        return min(replica.firstKnownTermIndex.previous, authority.last.index)
    }

    /// A term held by both starts at the same index on both (one leader wrote its first entry),
    /// and every shared term but the newest ends at the same index too. A first range that
    /// starts after index 1 was rebuilt after trimming: its true start may be earlier.
    private static func checkSharedTerms(_ replica: ReplicaReport, _ authority: ReplicaReport) throws(Refusal) {
        let shared = replica.termRanges.compactMap { mine in authority.range(of: mine.term).map { (mine: mine, theirs: $0) } }
        for (offset, pair) in shared.enumerated() {
            let (mine, theirs) = pair
            if mine.first != theirs.first {
                let later = mine.first > theirs.first ? (range: mine, report: replica) : (range: theirs, report: authority)
                let clipped = later.range == later.report.termRanges.first && later.range.first > JournalIndex(1)
                guard clipped else {
                    throw .inconsistent(
                        "term \(mine.term) starts at \(mine.first) on \(replica.replica) but at \(theirs.first) on the authority "
                            + "\(authority.replica): one leader cannot start a term twice")
                }
            }
            if offset < shared.count - 1, mine.last != theirs.last {
                throw .inconsistent(
                    "term \(mine.term) ends at \(mine.last) on \(replica.replica) but at \(theirs.last) on the authority "
                        + "\(authority.replica), although both hold the later term \(shared[offset + 1].mine.term)")
            }
        }
    }

    /// Range checksums confirm the agreement found: ranges wholly within it must match, and a
    /// range holding the first divergent index must differ (when the point came from terms,
    /// the records there have different terms).
    private static func checkChecksums(_ replica: ReplicaReport, _ authority: ReplicaReport, agreedThrough agreed: JournalIndex,
                                       foundByTerms: Bool) throws(Refusal) {
        for (mine, theirs) in RangeChecksum.comparablePairs(replica.rangeChecksums, authority.rangeChecksums) {
            if mine.last <= agreed, mine.checksum != theirs.checksum {
                throw .inconsistent(
                    "\(replica.replica) and the authority \(authority.replica) hold different records in \(mine.first)...\(mine.last) "
                        + "(range checksums differ), although their terms say they agree through \(agreed)")
            }
            if foundByTerms, mine.first <= agreed.next, agreed.next <= mine.last, mine.checksum == theirs.checksum {
                throw .inconsistent(
                    "\(replica.replica) and the authority \(authority.replica) hold the same records in \(mine.first)...\(mine.last) "
                        + "(range checksums match), although their terms say they diverge after \(agreed)")
            }
        }
    }
}
