import Foundation
import JBRCore
import NIOCore

/// The per-brick journal: checksummed, lz4-compressed records in segment files, appended in
/// index order and made durable by group commit (one write and one `fdatasync` for every record
/// waiting when the disk is free).
///
/// Appending is split in two so that order and durability are separate: `append(_:at:)` is
/// synchronous and fixes a record's place (callers append in index order from one place, as the
/// replica core does); `waitUntilDurable(_:)` suspends until the record is on disk. Readers see
/// only durable records. The journal knows nothing of files or replication: bodies are opaque.
///
/// Thread-safety: all mutable state is guarded by `condition`; one writer thread does the disk
/// work, one preparer thread zero-fills the next segment ahead of need.
public final class Journal: @unchecked Sendable {
    public let configuration: JournalConfiguration
    let condition = NSCondition()
    var state: State
    let preparer: SparePreparer
    /// Serialises writes of the term table (see `persistTermTable`).
    let termTableLock = NSLock()

    struct Pending {
        var body: PreparedBody
        var position: LogPosition
    }

    struct Waiter {
        var index: JournalIndex
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var segments: [Segment]
        /// Last record appended (durable or not).
        var lastPosition: LogPosition
        /// Last record on disk.
        var durablePosition: LogPosition
        var terms: TermTable
        var pending: [Pending] = []
        var pendingBytes = 0
        var waiters: [Waiter] = []
        /// Actions to run once an index is durable, in the order given (`whenDurable`).
        var durableActions: [(index: JournalIndex, action: DurableAction)] = []
        /// A thread is running durable actions; others leave theirs to it, so order holds.
        var deliveringActions = false
        /// The highest index the replica set has committed; nothing at or below it is truncated.
        var committedThrough: JournalIndex = .zero
        /// Set by the first failed write: the journal then refuses everything.
        var failure: JournalError?
        /// A batch is being written (by the writer thread or a caller of `writePending`).
        var writerBusy = false
        /// Threads waiting for `writerBusy` to clear (a truncation).
        var idleWaiters = 0
        var closing = false
        var writerExited = false
        /// The nice value the writer thread runs at (see `JournalConfiguration.writerNice`).
        var writerNice: Int32 = 0
        var statistics = JournalStatistics()
    }

    // MARK: Appending

    /// Fixes `body` at `position` and queues it for the disk. Returns at once.
    ///
    /// Precondition (programmer error, stops the brick): `position.index` is exactly one past the
    /// last appended record and its term is not lower. Throws `backlogFull` when too many bytes
    /// wait for the disk, or the journal's failure once a write has failed.
    public func append(_ body: PreparedBody, at position: LogPosition) throws {
        try append(contentsOf: [(body, position)])
    }

    /// Fixes several records at once, in order, under one acquisition of the lock, so they go
    /// to disk in the same batch unless the batch limit splits them.
    ///
    /// - Parameter wakeWriter: false when the caller has more to do first: it then writes them
    ///   itself (`writePending`) or wakes the writer (`wakeWriter()`); until then they wait.
    public func append(contentsOf records: [(body: PreparedBody, position: LogPosition)], wakeWriter: Bool = true) throws {
        condition.lock()
        defer { condition.unlock() }
        if let failure = state.failure { throw failure }
        guard !state.closing else { throw JournalError.closed(reason: "closing") }
        let bytes = records.reduce(0) { $0 + $1.body.recordSize }
        guard state.pendingBytes + bytes <= configuration.maxBacklogBytes || state.pending.isEmpty else {
            throw JournalError.backlogFull(pendingBytes: state.pendingBytes, limit: configuration.maxBacklogBytes)
        }
        for (body, position) in records {
            precondition(position.index == state.lastPosition.index.next, "journal append of \(position) after \(state.lastPosition): gap or repeat")
            precondition(position.term >= state.lastPosition.term, "journal append of \(position) after \(state.lastPosition): term went backwards")
            state.terms.noteAppended(position)
            state.pending.append(Pending(body: body, position: position))
            state.lastPosition = position
        }
        state.pendingBytes += bytes
        if wakeWriter { condition.broadcast() }
    }

    /// Hands what was appended with `wakeWriter: false` to the writer thread.
    public func wakeWriter() {
        condition.lock()
        if !state.pending.isEmpty { condition.broadcast() }
        condition.unlock()
    }

    /// Suspends until record `index` is durable. Throws the journal's failure if a write failed.
    public func waitUntilDurable(_ index: JournalIndex) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            if state.durablePosition.index >= index {
                condition.unlock()
                continuation.resume()
            } else if let failure = state.failure {
                condition.unlock()
                continuation.resume(throwing: failure)
            } else {
                precondition(index <= state.lastPosition.index, "waiting for record \(index), beyond the last appended \(state.lastPosition)")
                state.waiters.append(Waiter(index: index, continuation: continuation))
                condition.unlock()
            }
        }
    }

    /// Appends records in order and waits until all are durable. For callers without their own
    /// ordering (tools, tests); the replica shell uses `append(_:at:)` directly.
    public func append(_ records: [JournalRecord]) async throws {
        guard let last = records.last else { return }
        try append(contentsOf: records.map { (prepare($0.type, body: $0.body), $0.position) })
        try await waitUntilDurable(last.position.index)
    }

    /// Prepares a body with this journal's compression setting.
    public func prepare(_ type: RecordType, body: [UInt8]) -> PreparedBody {
        PreparedBody(type: type, body: body, compress: configuration.compression)
    }

    public func prepare(_ type: RecordType, body: ByteBuffer) -> PreparedBody {
        PreparedBody(type: type, body: body, compress: configuration.compression)
    }

    // MARK: Positions

    public var lastPosition: LogPosition { locked { $0.lastPosition } }
    public var durablePosition: LogPosition { locked { $0.durablePosition } }
    /// The first record still in the journal (after trimming), or `lastIndex + 1` when empty.
    public var firstIndex: JournalIndex { locked { $0.terms.trimmedThrough.index.next } }
    public var termTable: TermTable { locked { $0.terms } }
    /// The nice value the writer thread runs at: the configured one, or the default where the
    /// process may not lower it.
    public var writerNice: Int32 { locked { $0.writerNice } }
    public var statistics: JournalStatistics {
        var statistics = locked { $0.statistics }
        statistics.reusedSegments = preparer.recycling.reused
        return statistics
    }

    /// Records that the replica set committed through `index`: truncation below it is a
    /// programmer error from now on.
    public func noteCommitted(through index: JournalIndex) {
        locked { state in
            precondition(index <= state.lastPosition.index, "commit \(index) beyond the journal's end \(state.lastPosition)")
            state.committedThrough = max(state.committedThrough, index)
        }
    }

    /// Bytes of segment files on disk.
    public var diskBytes: Int {
        locked { $0.segments.reduce(0) { $0 + max($1.capacity, $1.endOffset) } }
    }

    func locked<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    // MARK: Closing

    /// Writes what is pending, stops the threads and closes the files. Appends after this throw.
    public func close() async {
        let last = locked { state -> JournalIndex in
            state.closing = true
            return state.lastPosition.index
        }
        try? await waitUntilDurable(last)
        joinThreads()
    }

    /// Waits for the writer to exit; by now nothing is pending, so it exits at once.
    private func joinThreads() {
        condition.lock()
        condition.broadcast()
        while !state.writerExited { condition.wait() }
        condition.unlock()
        preparer.stop()
    }

    /// What opening the journal found and did.
    public let recoveryReport: RecoveryReport

    init(configuration: JournalConfiguration, state: State, preparer: SparePreparer, recoveryReport: RecoveryReport) {
        self.configuration = configuration
        self.state = state
        self.preparer = preparer
        self.recoveryReport = recoveryReport
    }
}

/// Counters the benchmark and metrics read.
public struct JournalStatistics: Hashable, Sendable {
    public var recordsWritten = 0
    public var logicalBytes = 0
    public var storedBytes = 0
    public var syncs = 0
    public var rotations = 0
    /// Rotations that reused a trimmed segment instead of a new one.
    public var reusedSegments = 0

    /// What happened between `earlier` and this.
    public func since(_ earlier: JournalStatistics) -> JournalStatistics {
        JournalStatistics(
            recordsWritten: recordsWritten - earlier.recordsWritten, logicalBytes: logicalBytes - earlier.logicalBytes,
            storedBytes: storedBytes - earlier.storedBytes, syncs: syncs - earlier.syncs, rotations: rotations - earlier.rotations,
            reusedSegments: reusedSegments - earlier.reusedSegments)
    }
}
