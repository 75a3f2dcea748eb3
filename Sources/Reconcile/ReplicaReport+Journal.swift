import JBRCore
import Journal

extension ReplicaReport.TermRange {
    /// The report's form of a journal term range.
    public init(_ range: TermTable.TermRange) {
        self.init(term: range.term, first: range.first, last: range.last)
    }
}

extension ReplicaReport {
    /// A report from a journal's term table: `ranges(lastIndex:)` keeps boundaries below the trim
    /// point, which is what the planner needs to compare terms of trimmed records.
    public init(replica: ReplicaID, termTable: TermTable, last: LogPosition, commitIndex: JournalIndex,
                appliedThrough: JournalIndex, firstRetained: JournalIndex, rangeChecksums: [RangeChecksum] = []) {
        self.init(
            replica: replica, termRanges: termTable.ranges(lastIndex: last.index).map(TermRange.init), last: last,
            commitIndex: commitIndex, appliedThrough: appliedThrough, firstRetained: firstRetained, rangeChecksums: rangeChecksums)
    }
}
