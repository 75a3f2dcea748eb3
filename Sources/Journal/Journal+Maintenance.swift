import JBRCore

extension Journal {
    /// Removes every record after `index` durably (reconciliation cutting a divergent suffix).
    ///
    /// Waits for pending appends to be written first; appending while it runs is a programmer
    /// error. Precondition: nothing at or below the committed mark is removed.
    public func truncate(after index: JournalIndex) async throws {
        try await waitUntilDurable(lastPosition.index)
        guard try truncateDurable(after: index) else { return }
        try persistTermTable()
        // Actions waiting for records that are gone now wait for the new last one: ready.
        deliverReadyActions()
    }

    /// Empties the journal: it then holds no record and continues after `floor`, as if
    /// everything through it had been trimmed (a follower whose store a full resync rebuilt at
    /// `floor`). Nothing is kept, so `floor` must be at or past the last record: no record is
    /// lost that the replica set might still count on.
    ///
    /// Crash-safe in order: the new segment first (opening drops it while the table still
    /// names the old records), then the table, then the old segments (opening finishes that).
    public func reset(toFloor floor: LogPosition) async throws {
        try await waitUntilDurable(lastPosition.index)
        let removed: [Segment] = try {
            condition.lock()
            defer { condition.unlock() }
            try waitForIdleWriter(before: "reset")
            precondition(floor.index >= state.lastPosition.index, "resetting to \(floor) would drop records through \(state.lastPosition)")
            // An empty active segment may already start right after the floor: it is kept.
            var old = state.segments
            let fresh: Segment
            if let last = old.last, last.firstIndex == floor.index.next, last.offsets.isEmpty {
                fresh = old.removeLast()
            } else {
                fresh = try Journal.createSegment(firstIndex: floor.index.next, configuration: configuration)
            }
            var terms = TermTable()
            terms.trimmedThrough = floor
            state.terms = terms
            state.segments = [fresh]
            state.lastPosition = floor
            state.durablePosition = floor
            state.committedThrough = floor.index
            return old
        }()
        try persistTermTable()
        for segment in removed { try Directory.remove("\(configuration.directory)/\(segment.name)") }
        try Directory.sync(configuration.directory)
        deliverReadyActions()
    }

    /// Writes the term table as it is now, durably, outside the journal's lock (appenders do
    /// not wait for its sync). One writer at a time, each taking the table when it writes, so an
    /// older table never lands after a newer one (a trim point moving back would read as a gap).
    func persistTermTable() throws {
        termTableLock.lock()
        defer { termTableLock.unlock() }
        try locked { $0.terms }.persist(in: configuration.directory)
    }

    /// Under the lock: waits until the writer has finished its batch. It wakes a batch's waiters
    /// before it has finished with the batch (its term-table write comes after), so this is
    /// brief. Precondition: nothing is appended meanwhile (the caller cuts the segments next).
    private func waitForIdleWriter(before what: String) throws {
        state.idleWaiters += 1
        while state.writerBusy && state.failure == nil { condition.wait() }
        state.idleWaiters -= 1
        if let failure = state.failure { throw failure }
        precondition(state.pending.isEmpty && !state.writerBusy, "\(what) while appends are in flight")
    }

    /// Cuts the segments; true if anything was removed (the term table is then to be written).
    private func truncateDurable(after index: JournalIndex) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        try waitForIdleWriter(before: "truncate")
        precondition(index >= state.committedThrough, "truncating after \(index) would remove committed records through \(state.committedThrough)")
        precondition(index >= state.terms.trimmedThrough.index, "truncating after \(index), below the trimmed \(state.terms.trimmedThrough)")
        guard index < state.lastPosition.index else { return false }

        // The segment that will hold the new last record keeps its head; later ones go.
        let keep = state.segments.lastIndex { $0.firstIndex <= index.next } ?? 0
        let dropped = state.segments[(keep + 1)...]
        let segment = state.segments[keep]
        let cutOffset = segment.contains(index.next) ? segment.offset(of: index.next) : segment.endOffset
        try Journal.cut(segment, at: cutOffset, configuration: configuration)
        for gone in dropped { try Directory.remove("\(configuration.directory)/\(gone.name)") }
        try Directory.sync(configuration.directory)
        state.segments.removeLast(dropped.count)
        segment.offsets.removeLast(segment.offsets.count - Int(index.rawValue + 1 - segment.firstIndex.rawValue))
        segment.endOffset = cutOffset

        let newLast = LogPosition(term: state.terms.term(of: index) ?? .zero, index: index)
        state.terms.truncate(after: index)
        state.lastPosition = newLast
        state.durablePosition = newLast
        for waiting in state.durableActions.indices where state.durableActions[waiting].index > index {
            state.durableActions[waiting].index = index
        }
        return true
    }

    /// The first record of the newest segments that together hold at least `bytes`: the part
    /// of the journal kept for lagging followers whatever else has passed it.
    public func retentionStart(bytes: Int) -> JournalIndex {
        locked { state in
            var kept = 0
            for segment in state.segments.reversed() {
                kept += segment.endOffset
                if kept >= bytes { return segment.firstIndex }
            }
            return state.terms.trimmedThrough.index.next
        }
    }

    /// Deletes whole segments whose every record is before `index` (or keeps them as spares for
    /// rotation to reuse). The active segment is never deleted. Returns the new first index. The
    /// caller decides `index` (see `TrimPolicy`). The files are changed outside the lock, so
    /// appenders do not wait for them.
    @discardableResult
    public func trim(before index: JournalIndex) throws -> JournalIndex {
        let (removed, first) = try locked { state -> ([Segment], JournalIndex) in
            if let failure = state.failure { throw failure }
            precondition(index <= state.durablePosition.index.next, "trimming before \(index), past the durable end \(state.durablePosition)")
            var removable = 0
            for segment in state.segments.dropLast() {
                guard let last = segment.lastIndex, last < index else { break }
                removable += 1
            }
            guard removable > 0, let lastRemoved = state.segments[removable - 1].lastIndex else {
                return ([], state.terms.trimmedThrough.index.next)
            }
            // Out of the journal at once: a reader that still holds one of these segments and
            // finds it rewritten (reused) is told the range was trimmed (`readFailure`).
            state.terms.trimmedThrough = LogPosition(term: state.terms.term(of: lastRemoved) ?? .zero, index: lastRemoved)
            let removed = Array(state.segments.prefix(removable))
            state.segments.removeFirst(removable)
            return (removed, lastRemoved.next)
        }
        guard !removed.isEmpty else { return first }
        // The table first: if this crashes before the unlinks, opening finishes the trim.
        try persistTermTable()
        for segment in removed {
            let path = "\(configuration.directory)/\(segment.name)"
            if !preparer.recycle(path) { try Directory.remove(path) }
        }
        try Directory.sync(configuration.directory)
        return first
    }
}

/// Where the journal may be trimmed: below what every consumer has passed, and never into the
/// retained part (the newest `retention` bytes), which stays for replicas that lag: whichever
/// brick leads next finds there what a lagging follower needs. A follower lagging beyond it is
/// not waited for (it is resynced in full instead). Pure, so the rule is tested without files.
public enum TrimPolicy {
    public struct Consumers: Sendable {
        /// The main store's checkpoint: applied and synced through this index.
        public var storeCheckpoint: JournalIndex
        /// Each geo session's cursor: shipped through this index.
        public var geoCursors: [JournalIndex]

        public init(storeCheckpoint: JournalIndex, geoCursors: [JournalIndex]) {
            self.storeCheckpoint = storeCheckpoint
            self.geoCursors = geoCursors
        }
    }

    /// The index the journal may be trimmed before: no record at or after it is removed.
    ///
    /// - Parameter retainedFrom: the first record of the retained part of the journal
    ///   (`Journal.retentionStart(bytes:)`).
    public static func trimPoint(consumers: Consumers, retainedFrom: JournalIndex) -> JournalIndex {
        // A consumer at index i still needs i + 1 onward.
        let needs = ([consumers.storeCheckpoint] + consumers.geoCursors).map(\.next) + [retainedFrom]
        return needs.min()!
    }
}
