import Foundation
import JBRCore

/// Group commit: the writer thread takes everything pending (up to `maxBatchBytes`), writes it
/// with one `pwrite` and makes it durable with one `fdatasync`, then wakes every waiter it covered.
/// A caller may write what is pending itself (`writePending`), one batch at a time with the
/// writer thread.
extension Journal {
    func startWriter() {
        let thread = Thread { [self] in writerLoop() }
        thread.name = "jbr-journal-writer"
        thread.start()
    }

    private func writerLoop() {
        // Everything waits on this thread, so it runs ahead of the threads that feed it: on a
        // busy machine the appenders' CPU work otherwise delays the write and sync of all of
        // them (a fifth of the throughput for 64 KiB records on 2 cores). On Linux, who = 0 is
        // the calling thread. Without the privilege to lower nice it keeps the default.
        let raised = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, configuration.writerNice) == 0
        condition.lock()
        state.writerNice = raised ? configuration.writerNice : getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        while true {
            if state.writerBusy || (state.pending.isEmpty && !state.closing) {
                condition.wait()
                continue
            }
            if state.pending.isEmpty { break }
            writeNextBatch()
            condition.broadcast()
        }
        state.writerExited = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes what is pending on the calling thread, unless a batch is being written already
    /// (its writer takes these next). For a caller whose next step waits for the write anyway
    /// (a follower's acknowledgement): no waking the writer thread and being woken back by it.
    /// Durable actions that become ready run here too. Blocks for the write and its sync.
    public func writePending() {
        condition.lock()
        guard !state.writerBusy, !state.pending.isEmpty else { return condition.unlock() }
        writeNextBatch()
        // The writer thread only needs waking for what arrived meanwhile; a truncation waiting
        // for the write to end, or a close, needs it too.
        if !state.pending.isEmpty || state.idleWaiters > 0 || state.closing { condition.broadcast() }
        condition.unlock()
    }

    /// Under the lock, with records pending and no batch being written: writes the next batch,
    /// releasing the lock meanwhile. Returns with the lock held.
    private func writeNextBatch() {
        let batch = takeBatch()
        state.writerBusy = true
        let active = state.segments[state.segments.count - 1]
        condition.unlock()
        var failure: JournalError?
        do {
            try write(batch, startingIn: active)
        } catch {
            failure = error as? JournalError ?? .closed(reason: "\(error)")
        }
        condition.lock()
        state.writerBusy = false
        if let failure { failAll(failure) }
        if failure != nil {
            condition.unlock()
            deliverReadyActions()
            condition.lock()
        }
    }

    /// Under the lock: removes the records of the next batch from `pending`.
    private func takeBatch() -> [Pending] {
        var count = 0
        var bytes = 0
        for record in state.pending {
            if count > 0 && bytes + record.body.recordSize > configuration.maxBatchBytes { break }
            bytes += record.body.recordSize
            count += 1
        }
        let batch = Array(state.pending.prefix(count))
        state.pending.removeFirst(count)
        state.pendingBytes -= bytes
        return batch
    }

    /// Writes a batch, rotating to a new segment where the active one is full. Each piece written
    /// to one segment is synced before the next piece is written, so records of an unsynced piece
    /// never precede synced ones: what recovery's batch rule relies on.
    private func write(_ batch: [Pending], startingIn first: Segment) throws {
        var segment = first
        var start = 0
        var pieceBytes = 0
        for (offset, record) in batch.enumerated() {
            let used = segment.endOffset + pieceBytes
            if used > 0, used + record.body.recordSize > segment.capacity {
                if offset > start {
                    try flush(batch[start..<offset], to: segment)
                    start = offset
                    pieceBytes = 0
                }
                segment = try rotate(firstIndex: record.position.index)
            }
            pieceBytes += record.body.recordSize
        }
        try flush(batch[start...], to: segment)
    }

    private func flush(_ records: ArraySlice<Pending>, to segment: Segment) throws {
        let batchFirst = records.first!.position.index
        let base = segment.endOffset
        var offsets: [UInt64] = []
        offsets.reserveCapacity(records.count)
        var vectors: [UnsafeRawBufferPointer] = []
        vectors.reserveCapacity(records.count)
        var total = 0
        for record in records {
            offsets.append(UInt64(base + total))
            let buffer = record.body.buffer
            record.body.header(volumeID: configuration.volumeID, position: record.position, batchFirstIndex: batchFirst)
                .write(to: UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[..<RecordHeader.encodedSize]))
            vectors.append(UnsafeRawBufferPointer(rebasing: buffer.bytes[..<buffer.count]))
            total += buffer.count
        }
        // Zeros after the last record, at least a header's worth and up to a page boundary (or
        // the segment's end). Ending on a whole page spares the kernel reading the page from
        // disk first (a synchronous read per batch, half the throughput for large records); the
        // zeros mark the journal's end in a recycled segment, whose old records lie beyond.
        let end = base + total
        if configuration.preallocation == .zeroFill, end < segment.capacity {
            let pageEnd = (end + RecordHeader.encodedSize + pageSize - 1) / pageSize * pageSize
            vectors.append(UnsafeRawBufferPointer(rebasing: zeroPages[..<(min(pageEnd, segment.capacity) - end)]))
        }
        // The buffers stay alive (held by `records`) until the write returns.
        try withExtendedLifetime(records) { try segment.file.write(vectors: vectors, at: base) }
        try segment.file.syncData()
        publishDurable(records, offsets: offsets, bytes: total, in: segment)
    }

    /// Makes a synced piece visible to readers and wakes the waiters it covers.
    private func publishDurable(_ records: ArraySlice<Pending>, offsets: [UInt64], bytes: Int, in segment: Segment) {
        let last = records.last!.position
        condition.lock()
        segment.offsets.append(contentsOf: offsets)
        segment.endOffset += bytes
        // Terms only rise, so the piece began a term exactly when its last term is new.
        let termChanged = last.term != state.durablePosition.term
        state.durablePosition = last
        state.statistics.recordsWritten += records.count
        state.statistics.logicalBytes += records.reduce(0) { $0 + $1.body.originalLength }
        state.statistics.storedBytes += bytes
        state.statistics.syncs += 1
        var woken: [Waiter] = []
        state.waiters.removeAll { waiter in
            guard waiter.index <= last.index else { return false }
            woken.append(waiter)
            return true
        }
        condition.unlock()
        for waiter in woken { waiter.continuation.resume() }
        deliverReadyActions()
        // A new term is rare; record its boundary durably (recovery rebuilds it from the
        // records if this write is lost, so it is done after the waiters are free).
        if termChanged { try? persistTermTable() }
    }

    /// Opens the next segment: the spare renamed into place, or a new file if none is ready.
    private func rotate(firstIndex: JournalIndex) throws -> Segment {
        let path = "\(configuration.directory)/\(SegmentName.name(firstIndex: firstIndex))"
        if let spare = preparer.take() {
            try Directory.rename(spare, to: path)
        } else {
            _ = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL)
        }
        try Directory.sync(configuration.directory)
        let file = try FileDescriptor.open(path, flags: O_RDWR)
        let segment = Segment(firstIndex: firstIndex, file: file, offsets: [], endOffset: 0, capacity: configuration.segmentBytes)
        condition.lock()
        state.segments.append(segment)
        state.statistics.rotations += 1
        condition.unlock()
        return segment
    }

    /// Under the lock: the journal stops; every waiter and every later append gets `failure`.
    func failAll(_ failure: JournalError) {
        if state.failure == nil { state.failure = failure }
        let waiters = state.waiters
        state.waiters = []
        state.pending = []
        state.pendingBytes = 0
        for waiter in waiters { waiter.continuation.resume(throwing: failure) }
    }
}

private let pageSize = 4096

/// Never freed: padding for every journal's writes (a page plus a header at most).
private nonisolated(unsafe) let zeroPages = UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * pageSize, alignment: pageSize).initializeMemory(as: UInt8.self, repeating: 0))
