import JBRCore
import Reconcile

extension BrickServer {
    /// What this brick answers to a reconciliation query: its journal's terms through the last
    /// record appended, its commit and applied marks, and how far its journal was trimmed.
    ///
    /// Appended rather than durable: a leader sends records to followers while its own write is
    /// still in flight, so only appended positions keep a live leader's report at or after its
    /// followers'. After a restart the two are the same.
    ///
    /// With a range size, the report carries checksums over ranges of its newest durable
    /// records (`ReconReportRequest.span`), read from the record headers.
    func reconciliationReport(_ request: ReconReportRequest = ReconReportRequest(rangeSize: 0)) throws -> ReplicaReport {
        let last = journal.lastPosition
        let snapshot = status.withLock { $0 }
        var checksums: [RangeChecksum] = []
        if let span = request.span(first: journal.firstIndex, last: journal.durablePosition.index) {
            let ranges = (span.upperBound.rawValue - span.lowerBound.rawValue) / request.rangeSize + 2
            guard ranges <= UInt64(ReplicaReport.maxRangeChecksums) else {
                throw JBRError(.EINVAL, "range size \(request.rangeSize) makes \(ranges) ranges, over \(ReplicaReport.maxRangeChecksums)")
            }
            let digests = try journal.recordDigests(from: span.lowerBound, through: span.upperBound)
                .map { RangeChecksum.RecordDigest(position: $0.position, bodyChecksum: $0.bodyChecksum) }
            checksums = RangeChecksum.ranges(of: digests, rangeSize: request.rangeSize)
        }
        return ReplicaReport(
            replica: replica.id, termTable: journal.termTable, last: last,
            commitIndex: min(snapshot.commit, last.index), appliedThrough: min(snapshot.applied, last.index),
            firstRetained: journal.firstIndex, rangeChecksums: checksums)
    }
}
