import Foundation
import JBRCore
import Logging
import Metrics
import NIOPosix

/// The main store's one thread: applies committed entries in order, serves reads between them,
/// checkpoints now and then. The store is not thread-safe and its calls block on the disk, so
/// they run here, off the event loops and the cooperative pool.
final class StoreWorker: @unchecked Sendable {
    private let store: MainStore
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let logger: Logger
    /// Results go back to the core through this.
    private let report: @Sendable (ReplicaInput) -> Void
    // Touched only on the worker thread.
    private var lastCheckpoint = ContinuousClock.now
    private var appliedSinceCheckpoint: LogPosition?
    /// The request results of what the store holds, persisted with each checkpoint.
    private var sessions: SessionTable

    /// How often applied work is made durable and the mark advanced.
    static let checkpointInterval = Duration.seconds(1)

    private let applyDuration: Timer
    /// Run after each checkpoint: what the store holds no longer needs the journal.
    private let retention: JournalRetention?

    init(
        store: MainStore, sessions: SessionTable, retention: JournalRetention?, logger: Logger, applyDuration: Timer,
        report: @escaping @Sendable (ReplicaInput) -> Void
    ) {
        self.applyDuration = applyDuration
        self.retention = retention
        self.store = store
        self.sessions = sessions
        self.logger = logger
        self.report = report
        pool.start()
    }

    var appliedThrough: LogPosition { store.appliedThrough }

    /// Applies `entries` in order (after everything submitted before), reporting each.
    func apply(_ entries: [LogEntry]) {
        pool.submit { [self] state in
            guard case .active = state else { return }
            for entry in entries { applyRetrying(entry) }
            checkpointIfDue(force: false)
        }
    }

    /// Runs `operation` against the store after everything submitted before.
    func read(_ operation: ReadOperation, completion: @escaping @Sendable (OperationResult) -> Void) {
        pool.submit { [self] state in
            guard case .active = state else { return completion(.failure(JBRError(.shuttingDown, "brick stopping"))) }
            do throws(StoreFailure) {
                completion(try store.read(operation))
            } catch {
                completion(.failure(error.error))
            }
        }
    }

    /// Checkpoints what was applied and stops the thread.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pool.submit { [self] _ in
                checkpointIfDue(force: true)
                continuation.resume()
            }
        }
        try? await pool.shutdownGracefully()
    }

    /// A disk failure (a full disk) must not be acknowledged or skipped: the entry is retried
    /// until it applies, and the brick says why it is stuck.
    private func applyRetrying(_ entry: LogEntry) {
        var delay = 0.05
        while true {
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
                return
            } catch {
                logger.error("cannot apply committed entry; retrying", metadata: ["repl.position": "\(entry.position)", "error": "\(error)"])
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 2)
            }
        }
    }

    private func checkpointIfDue(force: Bool) {
        guard let position = appliedSinceCheckpoint, force || ContinuousClock.now - lastCheckpoint >= Self.checkpointInterval else { return }
        do {
            // The results first: a crash between the two leaves them ahead of the mark, which
            // replay tolerates; the other way round, retries could run twice.
            try SessionsFile.persist(sessions, in: store.state)
            try store.checkpoint(through: position)
            appliedSinceCheckpoint = nil
            lastCheckpoint = ContinuousClock.now
            retention?.trim(afterCheckpoint: position.index)
        } catch {
            logger.error("checkpoint failed", metadata: ["error": "\(error)"])
        }
    }
}
