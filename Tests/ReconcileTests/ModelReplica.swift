import JBRCore
import Reconcile

/// A replica's journal as the tests write it, with the facts its report carries. The record at
/// index i is identified by its term (Raft: one leader per term, one record per index), so
/// `terms` is the journal's whole content, trimmed records included.
struct ModelReplica: Sendable, CustomStringConvertible {
    var id: ReplicaID
    /// The term of the record at each index from 1.
    var terms: [UInt64]
    var commit: UInt64
    var applied: UInt64
    var firstRetained: UInt64
    /// The term table was rebuilt after trimming: the report knows terms from `firstRetained` only.
    var termTableLost = false
    /// Compute range checksums of this size over the retained records (nil: report none).
    var checksumRangeSize: UInt64?
    /// Records whose body differs from every other replica's record at that position (a broken
    /// log-matching invariant, for the checksum cases).
    var alteredBodies: Set<UInt64> = []
    /// What the term table claims, when it lies about `terms` (for the checksum cases).
    var claimedTerms: [UInt64]?

    var lastIndex: UInt64 { UInt64(terms.count) }

    var report: ReplicaReport {
        let stated = claimedTerms ?? terms
        let knownFrom = termTableLost ? firstRetained : 1
        var ranges: [ReplicaReport.TermRange] = []
        for index in stride(from: knownFrom, through: UInt64(stated.count), by: 1) {
            let term = Term(stated[Int(index - 1)])
            if ranges.last?.term == term {
                ranges[ranges.count - 1].last = JournalIndex(index)
            } else {
                ranges.append(.init(term: term, first: JournalIndex(index), last: JournalIndex(index)))
            }
        }
        let lastTerm = ranges.last?.term ?? .zero
        let checksums = checksumRangeSize.map { size in
            RangeChecksum.ranges(of: digests, rangeSize: size)
        } ?? []
        return ReplicaReport(
            replica: id, termRanges: ranges, last: LogPosition(term: lastTerm, index: JournalIndex(lastIndex)),
            commitIndex: JournalIndex(commit), appliedThrough: JournalIndex(applied), firstRetained: JournalIndex(firstRetained),
            rangeChecksums: checksums)
    }

    /// The retained records as range checksums see them.
    var digests: [RangeChecksum.RecordDigest] {
        stride(from: firstRetained, through: lastIndex, by: 1).map { index in
            let term = terms[Int(index - 1)]
            let body = ModelReplica.bodyChecksum(term: term, index: index) ^ (alteredBodies.contains(index) ? 0xA5A5 : 0)
            return RangeChecksum.RecordDigest(position: LogPosition(term: Term(term), index: JournalIndex(index)), bodyChecksum: body)
        }
    }

    /// A stand-in for the CRC32C of a record's body: a function of what the record is.
    static func bodyChecksum(term: UInt64, index: UInt64) -> UInt32 {
        var mixer = SplitMix64(seed: term &* 0x1_0000_0001 &+ index)
        return UInt32(truncatingIfNeeded: mixer.next())
    }

    var knownCommitted: UInt64 { max(commit, applied, firstRetained - 1) }

    var description: String {
        let text = terms.map(String.init).joined(separator: terms.contains { $0 > 9 } ? "," : "")
        return "\(id): [\(text)] commit \(commit) applied \(applied) retained \(firstRetained)\(termTableLost ? " table lost" : "")"
    }
}

// MARK: Notation

/// A replica from one digit per record, oldest first: `journal(0, "11 222", commit: 3)`.
/// Spaces are only for the reader's eye.
func journal(_ id: UInt32, _ terms: String, commit: UInt64 = 0, applied: UInt64 = 0, retained: UInt64 = 1,
             tableLost: Bool = false, checksums: UInt64? = nil) -> ModelReplica {
    let digits = terms.compactMap { $0.wholeNumberValue.map(UInt64.init) }
    return ModelReplica(
        id: ReplicaID(id), terms: digits, commit: commit, applied: applied, firstRetained: retained,
        termTableLost: tableLost, checksumRangeSize: checksums)
}

/// A replica from term ranges, for long journals: `journal(0, ranges: "1:1-50 2:51-120")`.
func journal(_ id: UInt32, ranges: String, commit: UInt64 = 0, applied: UInt64 = 0, retained: UInt64 = 1,
             tableLost: Bool = false) -> ModelReplica {
    var terms: [UInt64] = []
    for range in ranges.split(separator: " ") {
        let parts = range.split(whereSeparator: { $0 == ":" || $0 == "-" }).map { UInt64($0)! }
        precondition(parts.count == 3 && parts[1] == UInt64(terms.count) + 1, "ranges must be contiguous from 1: \(ranges)")
        terms += Array(repeating: parts[0], count: Int(parts[2] - parts[1] + 1))
    }
    return ModelReplica(id: ReplicaID(id), terms: terms, commit: commit, applied: applied, firstRetained: retained, termTableLost: tableLost)
}

func truncate(after index: UInt64) -> ReconciliationAction { .truncate(after: JournalIndex(index)) }

func replay(_ range: ClosedRange<UInt64>, from source: UInt32) -> ReconciliationAction {
    .replay(from: JournalIndex(range.lowerBound), through: JournalIndex(range.upperBound), source: ReplicaID(source))
}

func resync(from source: UInt32, thenReplayFrom index: UInt64) -> ReconciliationAction {
    .fullResync(source: ReplicaID(source), thenReplayFrom: JournalIndex(index))
}

extension ReplicaDirective.Work {
    static func doing(_ actions: ReconciliationAction...) -> Self { .repair(actions) }
}
