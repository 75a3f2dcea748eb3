import JBRCore
import Journal
import Metrics

/// The brick's metrics, recorded in the shell (the core only reports events; STYLE item 24).
/// Names follow Prometheus's rules (underscores); the backend is whatever the process
/// bootstrapped (`jbr-server` exports them as Prometheus text).
struct BrickMetrics: Sendable {
    let writes: Counter
    let reads: Counter
    let failures: Counter
    let writeDuration: Timer
    let readDuration: Timer
    let elections: Counter
    let leaderChanges: Counter
    let term: Gauge
    let commitIndex: Gauge
    let appliedIndex: Gauge
    let commitLag: Gauge
    let journalBytes: Gauge
    let journalSyncs: Gauge
    let journalRecords: Gauge
    /// From the local append to the commit index passing the entry.
    let commitDuration: Timer
    /// The main store's apply of one entry.
    let applyDuration: Timer

    init(replica: ReplicaID) {
        let dimensions = [("replica", "\(replica.rawValue)")]
        writes = Counter(label: "jbr_client_writes_total", dimensions: dimensions)
        reads = Counter(label: "jbr_client_reads_total", dimensions: dimensions)
        failures = Counter(label: "jbr_client_failures_total", dimensions: dimensions)
        writeDuration = Timer(label: "jbr_client_write_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        readDuration = Timer(label: "jbr_client_read_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        elections = Counter(label: "jbr_repl_elections_total", dimensions: dimensions)
        leaderChanges = Counter(label: "jbr_repl_leader_changes_total", dimensions: dimensions)
        term = Gauge(label: "jbr_repl_term", dimensions: dimensions)
        commitIndex = Gauge(label: "jbr_repl_commit_index", dimensions: dimensions)
        appliedIndex = Gauge(label: "jbr_repl_applied_index", dimensions: dimensions)
        commitLag = Gauge(label: "jbr_repl_commit_lag", dimensions: dimensions)
        journalBytes = Gauge(label: "jbr_journal_bytes", dimensions: dimensions)
        journalSyncs = Gauge(label: "jbr_journal_fsyncs", dimensions: dimensions)
        journalRecords = Gauge(label: "jbr_journal_records_written", dimensions: dimensions)
        commitDuration = Timer(label: "jbr_repl_commit_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
        applyDuration = Timer(label: "jbr_store_apply_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }

    func record(_ status: BrickStatus, journal: JournalStatistics) {
        term.record(Double(status.term.rawValue))
        commitIndex.record(Double(status.commit.rawValue))
        appliedIndex.record(Double(status.applied.rawValue))
        commitLag.record(Double(status.commit.rawValue) - Double(status.applied.rawValue))
        journalBytes.record(Double(status.journalBytes))
        journalSyncs.record(Double(journal.syncs))
        journalRecords.record(Double(journal.recordsWritten))
    }

    func record(_ event: ReplicaEvent) {
        switch event {
        case .becameCandidate: elections.increment()
        case .becameLeader, .becameFollower: leaderChanges.increment()
        default: break
        }
    }
}
