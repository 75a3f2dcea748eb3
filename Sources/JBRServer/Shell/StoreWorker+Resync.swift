import JBRCore
import NIOConcurrencyHelpers
import NIOCore

/// A full resync's store work, on the store's thread with the store held: the leader's manifest
/// (nothing is applied meanwhile, so it is the tree at one applied position), and the
/// follower's emptying, rebuilding and completing.
extension StoreWorker {
    /// What a leader hands a follower to resync from.
    struct ResyncSnapshot: Sendable {
        /// The last entry applied to the tree the manifest describes.
        var position: LogPosition
        /// The request results of that tree (deduplication survives the resync).
        var sessions: ByteBuffer
        var manifest: ByteBuffer
    }

    /// The leader's side: the manifest and its position, with the journal after it pinned for
    /// `follower` before any trim can run (trims run on this thread too).
    ///
    /// The store is not held meanwhile: counted as a batch on the store's thread, the manifest
    /// makes later applies queue behind it there instead of running on the brick's event loop,
    /// which must not wait for it (heartbeats, commits and client replies go on).
    func resyncSnapshot(for follower: ReplicaID, maxManifestBytes: Int, pinHold: Duration) async throws -> ResyncSnapshot {
        lock.withLock { batchesOnWorker += 1 }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ResyncSnapshot, any Error>) in
            pool.submit { [self] state in
                defer {
                    lock.withLock {
                        batchesOnWorker -= 1
                        queueCheckpointIfDue()
                    }
                }
                guard case .active = state else {
                    return continuation.resume(throwing: JBRError(.shuttingDown, "brick stopping"))
                }
                let (position, table) = lock.withLock { (appliedSinceCheckpoint ?? store.appliedThrough, sessions) }
                retention?.pins.pin(after: position.index, for: follower, hold: pinHold)
                continuation.resume(with: Swift.Result {
                    ResyncSnapshot(position: position, sessions: table.encoded(), manifest: try store.resyncManifest(maxBytes: maxManifestBytes))
                })
            }
        }
    }

    /// The follower's side, first: the store marked incomplete and emptied.
    func emptyForResync() async throws {
        try await onStoreThread { [self] in try store.emptyForResync() }
    }

    func installResync(_ steps: [ResyncStep]) async throws {
        try await onStoreThread { [self] in for step in steps { try store.installResyncStep(step) } }
    }

    func installResyncContent(_ gfid: GFID, offset: UInt64, data: ByteBuffer) async throws {
        try await onStoreThread { [self] in try store.installResyncContent(gfid, offset: offset, data: data) }
    }

    /// Last: every object's times, the leader's results, and the mark at `position`.
    func completeResync(at position: LogPosition, sessions table: SessionTable, times: [(GFID, access: Timestamp, modification: Timestamp)]) async throws {
        try await onStoreThread { [self] in
            for (gfid, access, modification) in times { try store.installResyncTimes(gfid, access: access, modification: modification) }
            sessions = table
            // The results first, as at every checkpoint.
            try SessionsFile.persist(table, in: store.state)
            try store.completeResync(at: position)
            appliedSinceCheckpoint = nil
        }
    }

    /// Runs `body` on the store's thread with the store held.
    private func onStoreThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            pool.submit { [self] state in
                guard case .active = state else {
                    return continuation.resume(throwing: JBRError(.shuttingDown, "brick stopping"))
                }
                lock.lock()
                defer { lock.unlock() }
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}
