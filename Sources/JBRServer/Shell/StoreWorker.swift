import Foundation
import JBRCore
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The main store's owner: applies committed entries in order, serves reads, checkpoints now
/// and then.
///
/// Entries are applied by the caller (the brick's event loop) at once: an apply is a few
/// system calls on the page cache, cheaper than waking another thread to do it and being woken
/// again for its result, twice on every write's way to its answer. What may block for long
/// runs on the worker thread: checkpoints (`syncfs`), and an entry that failed (a full disk),
/// retried until it applies while later entries queue behind it there. Reads of metadata are
/// served by the caller at once too; file data and listings (any size) are read on a thread of
/// their own.
///
/// `lock` guards the store's applies and reads and the state below. A checkpoint runs outside
/// it, beside applies and reads: it syncs the file system and writes the mark, which neither
/// touches.
final class StoreWorker: @unchecked Sendable {
    let store: MainStore
    let pool = NIOThreadPool(numberOfThreads: 1)
    /// Where reads run (see `read`).
    let readPool = NIOThreadPool(numberOfThreads: 1)
    let lock = NIOLock()
    private let logger: Logger
    /// Results go back to the core through this: at once from the core's event loop, through
    /// the loop's task queue from the worker thread.
    private let report: @Sendable (ReplicaInput) -> Void
    /// The core's event loop.
    private let coreLoop: any EventLoop
    // Under `lock`:
    var lastCheckpoint = ContinuousClock.now
    var appliedSinceCheckpoint: LogPosition?
    private var checkpointQueued = false
    /// Batches handed to the worker thread and not done: while any are, later ones follow them.
    var batchesOnWorker = 0
    /// The request results of what the store holds, persisted with each checkpoint.
    var sessions: SessionTable

    /// How often applied work is made durable and the mark advanced.
    static let checkpointInterval = Duration.seconds(1)

    private let applyDuration: Timer
    /// Run after each checkpoint: what the store holds no longer needs the journal.
    let retention: JournalRetention?

    init(
        store: MainStore, sessions: SessionTable, retention: JournalRetention?, logger: Logger, applyDuration: Timer, coreLoop: any EventLoop,
        report: @escaping @Sendable (ReplicaInput) -> Void
    ) {
        self.coreLoop = coreLoop
        self.applyDuration = applyDuration
        self.retention = retention
        self.store = store
        self.sessions = sessions
        self.logger = logger
        self.report = report
        pool.start()
        readPool.start()
    }

    /// Applies `entries` in order (after everything submitted before), reporting each: here and
    /// now unless earlier entries are still on the worker thread.
    func apply(_ entries: [LogEntry]) {
        let left: ArraySlice<LogEntry> = lock.withLock {
            guard batchesOnWorker == 0 else {
                batchesOnWorker += 1
                return entries[...]
            }
            var applied = 0
            while applied < entries.count, applyOnce(entries[applied]) { applied += 1 }
            guard applied < entries.count else {
                queueCheckpointIfDue()
                return []
            }
            batchesOnWorker += 1
            return entries[applied...]
        }
        guard !left.isEmpty else { return }
        pool.submit { [self] state in
            guard case .active = state else { return }
            for entry in left { applyRetrying(entry) }
            // The batch ends on the core's loop, behind the reports it queued there: until then
            // an apply on the loop must queue here too, or its report would reach the core
            // first (out of order; the nemesis found this after a full disk).
            coreLoop.execute { [self] in
                lock.withLock {
                    batchesOnWorker -= 1
                    queueCheckpointIfDue()
                }
            }
        }
    }

    /// Runs `operation` against the store, on the read thread: a checkpoint's `syncfs` (some
    /// milliseconds, once a second) on the worker thread does not hold it up. Work on the worker
    /// thread that holds the store without the lock (a resync's manifest, an apply retried
    /// there) it waits behind, there.
    ///
    /// A read of metadata alone (lookup, stat, readlink, xattrs, statfs) is served by the caller
    /// at once instead, as applies are: a few system calls cost less than waking the read thread
    /// and being woken again for its answer, which a small file's creation through a mount pays
    /// six times.
    func read(_ operation: ReadOperation, completion: @escaping @Sendable (OperationResult) -> Void) {
        if operation.readsMetadataOnly {
            let result: OperationResult? = lock.withLock { batchesOnWorker == 0 ? readHoldingLock(operation) : nil }
            if let result { return completion(result) }
        }
        readPool.submit { [self] state in
            guard case .active = state else { return completion(.failure(JBRError(.shuttingDown, "brick stopping"))) }
            lock.lock()
            guard batchesOnWorker == 0 else {
                lock.unlock()
                return pool.submit { [self] state in
                    guard case .active = state else { return completion(.failure(JBRError(.shuttingDown, "brick stopping"))) }
                    completion(lock.withLock { readHoldingLock(operation) })
                }
            }
            let result = readHoldingLock(operation)
            lock.unlock()
            completion(result)
        }
    }

    private func readHoldingLock(_ operation: ReadOperation) -> OperationResult {
        do throws(StoreFailure) {
            return try store.read(operation)
        } catch {
            return .failure(error.error)
        }
    }

    /// Checkpoints what was applied and stops the thread. Nothing may be applied meanwhile.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pool.submit { [self] _ in
                checkpoint()
                continuation.resume()
            }
        }
        try? await readPool.shutdownGracefully()
        try? await pool.shutdownGracefully()
    }

    /// Under `lock`: applies one entry and reports it, or says why not and returns false.
    private func applyOnce(_ entry: LogEntry) -> Bool {
        do {
            var result: OperationResult?
            let began = ContinuousClock.now
            defer { applyDuration.recordNanoseconds(Int64((ContinuousClock.now - began).seconds * 1e9)) }
            if case let .operation(operation) = entry.payload {
                switch try store.apply(operation, at: entry.position) {
                case let .applied(outcome): result = outcome
                case .alreadyApplied: result = nil
                }
                sessions.recordApplied(operation.request, result: result)
            }
            appliedSinceCheckpoint = entry.position
            report(.applied(index: entry.position.index, result: result))
            return true
        } catch {
            logger.error("cannot apply committed entry; retrying", metadata: ["repl.position": "\(entry.position)", "error": "\(error)"])
            return false
        }
    }

    /// On the worker thread. A disk failure (a full disk) must not be acknowledged or skipped:
    /// the entry is retried until it applies, and the brick says why it is stuck.
    private func applyRetrying(_ entry: LogEntry) {
        var delay = 0.05
        while !lock.withLock({ applyOnce(entry) }) {
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 2)
        }
    }

    /// Under `lock`: hands a checkpoint to the worker thread when one is due.
    func queueCheckpointIfDue() {
        guard !checkpointQueued, appliedSinceCheckpoint != nil, ContinuousClock.now - lastCheckpoint >= Self.checkpointInterval else { return }
        checkpointQueued = true
        pool.submit { [self] state in
            guard case .active = state else { return }
            checkpoint()
        }
    }

    /// On the worker thread, outside `lock` but for the snapshot and the bookkeeping.
    private func checkpoint() {
        let (applied, sessions) = lock.withLock { (appliedSinceCheckpoint, self.sessions) }
        defer { lock.withLock { checkpointQueued = false } }
        guard let position = applied else { return }
        do {
            // The results first: a crash between the two leaves them ahead of the mark, which
            // replay tolerates; the other way round, retries could run twice.
            try SessionsFile.persist(sessions, in: store.state)
            try store.checkpoint(through: position)
        } catch {
            return logger.error("checkpoint failed", metadata: ["error": "\(error)"])
        }
        lock.withLock {
            if appliedSinceCheckpoint == position { appliedSinceCheckpoint = nil }
            lastCheckpoint = ContinuousClock.now
        }
        retention?.trim(afterCheckpoint: position.index)
    }
}
