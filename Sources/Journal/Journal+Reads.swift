import JBRCore

extension Journal {
    /// Durable records `from...through` in order, across segments, stopping before the body
    /// bytes would pass `maxBytes` (but always at least one record, however large).
    ///
    /// Reads the files outside the lock, so appenders are not held up. Throws `outOfRange` for
    /// a start that was trimmed or is not durable yet, and `corruption` if a record read back
    /// fails its checksums.
    public func records(from: JournalIndex, through: JournalIndex, maxBytes: Int = .max) throws -> [JournalRecord] {
        let pieces = try durablePieces(from: from, through: through)
        var records: [JournalRecord] = []
        var bytes = 0
        var expected = from
        for (segment, _, _, range) in pieces {
            // Read in bounded chunks: a large range must not be one huge allocation.
            var offset = range.lowerBound
            while offset < range.upperBound {
                let header = try segment.file.read(count: RecordHeader.encodedSize, at: offset)
                guard case let .valid(parsed) = header.withUnsafeBytes({ RecordHeader.parse($0) }) else {
                    throw readFailure(segment, offset: offset, expected: expected, reason: "header unreadable on read")
                }
                if !records.isEmpty, bytes + Int(parsed.originalLength) > maxBytes { return records }
                let whole = try segment.file.read(count: parsed.recordSize, at: offset)
                guard case let .record(_, record) = whole.withUnsafeBytes({ RecordReader.read($0) }), record.position.index == expected else {
                    throw readFailure(segment, offset: offset, expected: expected, reason: "record fails its checksum on read")
                }
                records.append(record)
                bytes += record.body.count
                expected = expected.next
                offset += parsed.recordSize
            }
        }
        return records
    }

    /// The position and body checksum of each durable record `from...through` (clipped to the
    /// durable end), read from the record headers alone: what `RangeChecksum` sums, without
    /// reading or decompressing bodies. Throws like `records`.
    public func recordDigests(from: JournalIndex, through: JournalIndex) throws -> [(position: LogPosition, bodyChecksum: UInt32)] {
        var digests: [(position: LogPosition, bodyChecksum: UInt32)] = []
        // Header to header through each piece's bytes (the segment's offsets change under the
        // lock as appends land, so they are not read here).
        for (segment, start, stop, range) in try durablePieces(from: from, through: through) {
            var index = start
            var offset = range.lowerBound
            while index <= stop {
                let header = try segment.file.read(count: RecordHeader.encodedSize, at: offset)
                guard case let .valid(parsed) = header.withUnsafeBytes({ RecordHeader.parse($0) }), parsed.position.index == index else {
                    throw readFailure(segment, offset: offset, expected: index, reason: "header unreadable on read")
                }
                digests.append((parsed.position, parsed.bodyChecksum))
                index = index.next
                offset += parsed.recordSize
            }
        }
        return digests
    }

    /// The segments holding durable records `from...through`: each with the first and last index
    /// it holds of them and their bytes. Throws `outOfRange` for a start trimmed or not durable.
    private func durablePieces(from: JournalIndex, through: JournalIndex) throws -> [(Segment, JournalIndex, JournalIndex, Range<Int>)] {
        let (pieces, first, last) = locked { state -> ([(Segment, JournalIndex, JournalIndex, Range<Int>)], JournalIndex, JournalIndex) in
            let first = state.terms.trimmedThrough.index.next
            let last = state.durablePosition.index
            guard from >= first, from <= last, through >= from else { return ([], first, last) }
            let end = min(through, last)
            var pieces: [(Segment, JournalIndex, JournalIndex, Range<Int>)] = []
            for segment in state.segments {
                guard let segmentLast = segment.lastIndex, segmentLast >= from, segment.firstIndex <= end else { continue }
                let start = max(from, segment.firstIndex)
                let stop = min(end, segmentLast)
                pieces.append((segment, start, stop, segment.byteRange(from: start, through: stop)))
            }
            return (pieces, first, last)
        }
        guard !pieces.isEmpty else { throw JournalError.outOfRange(requested: from, first: first, last: last) }
        return pieces
    }

    /// A record that does not read back: damage, unless a trim took its segment meanwhile (a
    /// recycled segment is rewritten in place), which is the reader having fallen behind.
    private func readFailure(_ segment: Segment, offset: Int, expected: JournalIndex, reason: String) -> JournalError {
        let (first, last) = locked { ($0.terms.trimmedThrough.index.next, $0.durablePosition.index) }
        if expected < first { return .outOfRange(requested: expected, first: first, last: last) }
        return .corruption(segment: segment.name, offset: offset, expected: expected, reason: reason)
    }
}
