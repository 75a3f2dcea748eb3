import JBRCore

extension ReplicaReport {
    /// What is self-contradictory in this report, or nil if it is well formed. Reports come from
    /// the wire, so a bad one is a result (`.inconsistent`), never a trap.
    var malformation: String? {
        if let problem = termRangeProblem { return "\(replica) reports \(problem)" }
        if commitIndex > last.index { return "\(replica) reports commit \(commitIndex) beyond its last \(last)" }
        if appliedThrough > last.index { return "\(replica) reports applied \(appliedThrough) beyond its last \(last)" }
        if firstRetained == .zero || firstRetained > last.index.next {
            return "\(replica) reports first retained \(firstRetained) outside 1...\(last.index.next)"
        }
        if let problem = checksumProblem { return "\(replica) reports \(problem)" }
        return nil
    }

    private var termRangeProblem: String? {
        guard let newest = termRanges.last else {
            // No term known: an empty journal, or one trimmed to nothing whose term table was lost.
            guard last.term == .zero, firstRetained == last.index.next else {
                return "no term ranges but last \(last), first retained \(firstRetained)"
            }
            return nil
        }
        for range in termRanges where range.term == .zero || range.first == .zero || range.first > range.last {
            return "term range \(range) is empty or names term 0 or index 0"
        }
        for (older, newer) in zip(termRanges, termRanges.dropFirst()) {
            guard newer.term > older.term, newer.first == older.last.next else {
                return "term ranges \(older) and \(newer) out of order or not contiguous"
            }
        }
        if newest.term != last.term || newest.last != last.index {
            return "term ranges ending at \(newest) but last \(last)"
        }
        if termRanges[0].first > firstRetained {
            return "retained records from \(firstRetained) before its first known term range \(termRanges[0])"
        }
        return nil
    }

    private var checksumProblem: String? {
        for range in rangeChecksums where range.first > range.last || range.first < firstRetained || range.last > last.index {
            return "checksum range \(range.first)...\(range.last) outside its retained records \(firstRetained)...\(last.index)"
        }
        for (older, newer) in zip(rangeChecksums, rangeChecksums.dropFirst()) where newer.first <= older.last {
            return "checksum ranges \(older.first)...\(older.last) and \(newer.first)...\(newer.last) out of order"
        }
        return nil
    }
}

extension ReplicaReport {
    /// The first index whose term this report states; records before it are trimmed and of
    /// unknown term.
    var firstKnownTermIndex: JournalIndex { termRanges.first?.first ?? last.index.next }

    /// This replica's range of `term`, if it holds entries of it.
    func range(of term: Term) -> TermRange? {
        termRanges.first { $0.term == term }
    }
}
