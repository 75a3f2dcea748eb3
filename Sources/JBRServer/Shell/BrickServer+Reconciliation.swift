import JBRCore
import Reconcile

extension BrickServer {
    /// What this brick answers to a reconciliation query: its journal's terms through the last
    /// record appended, its commit and applied marks, and how far its journal was trimmed.
    ///
    /// Appended rather than durable: a leader sends records to followers while its own write is
    /// still in flight, so only appended positions keep a live leader's report at or after its
    /// followers'. After a restart the two are the same.
    func reconciliationReport() -> ReplicaReport {
        let last = journal.lastPosition
        let snapshot = status.withLock { $0 }
        return ReplicaReport(
            replica: replica.id, termTable: journal.termTable, last: last,
            commitIndex: min(snapshot.commit, last.index), appliedThrough: min(snapshot.applied, last.index),
            firstRetained: journal.firstIndex)
    }
}
