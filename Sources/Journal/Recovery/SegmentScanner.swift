import JBRCore

/// What scanning one segment found: where its records lie and how it ends.
struct SegmentScan: Sendable {
    /// Byte offset of each intact record, in index order from the segment's first index.
    var offsets: [UInt64] = []
    /// Term boundaries met in this segment: (term, first index of that term here).
    var termStarts: [(Term, JournalIndex)] = []
    var lastPosition: LogPosition?
    /// Where intact data ends.
    var endOffset = 0
    var ending: Ending = .clean

    enum Ending: Sendable, Equatable {
        case clean
        case tornTail(offset: Int, reason: String)
        case corruption(offset: Int, expected: JournalIndex, reason: String)
    }
}

/// Scans a segment's bytes slot by slot and lets `SlotRecovery` decide each slot. Pure: the
/// caller maps the file and says whether any later segment holds records, and where the next
/// segment's records begin.
enum SegmentScanner {
    /// - Parameter nextSegmentFirst: the first index of the next segment, when that segment
    ///   holds records: the writer rotated there, so this segment ends with the record before
    ///   it, and what follows that record is only what did not fit (zeros, or a recycled
    ///   segment's earlier bytes at any alignment, possibly fewer than a header).
    static func scan(
        _ bytes: UnsafeRawBufferPointer, firstIndex: JournalIndex, previous: LogPosition?, volumeID: VolumeID,
        laterSegmentHasRecords: Bool, nextSegmentFirst: JournalIndex? = nil
    ) -> SegmentScan {
        var scan = SegmentScan()
        var offset = 0
        var previous = previous
        var expected = firstIndex
        while true {
            if let nextSegmentFirst, expected == nextSegmentFirst, offset > 0 { return scan }
            let slot = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let facts: SlotFacts
            var found: RecordHeader?
            var reason = ""
            if slot.count < RecordHeader.encodedSize {
                // The file ends after a record, or with fewer bytes than a header, where no record
                // was ever written (rotation left them): the same as zeros at the segment's end.
                facts = SlotFacts(header: .zeroed, bodyComplete: false, bodyValid: false, followsPrevious: false, laterBatchFollows: false)
            } else {
                switch RecordReader.read(slot, decompress: true) {
                case let .record(header, _) where isFromEarlierUse(header, segmentFirst: firstIndex, volumeID: volumeID):
                    // A recycled segment's old content begins here: the journal ends.
                    reason = "record \(header.position) from the segment's earlier use followed by records"
                    facts = SlotFacts(header: .zeroed, bodyComplete: false, bodyValid: false, followsPrevious: false,
                                      laterBatchFollows: laterBatchRecord(in: bytes, after: offset, than: expected))
                case let .record(header, _):
                    found = header
                    let follows = header.volumeID == volumeID && header.position.index == expected
                        && header.position.term >= (previous?.term ?? .zero)
                    reason = follows ? "" : "record \(header.position) of volume \(header.volumeID) where \(expected.rawValue) was expected"
                    facts = SlotFacts(header: .valid, bodyComplete: true, bodyValid: true, followsPrevious: follows, laterBatchFollows: false)
                case .zeroed:
                    // Zeros end a segment before rotation; whether the next segment continues
                    // the journal is the caller's check. Only records later in this segment
                    // make zeros a hole.
                    reason = "zeroed space followed by records"
                    facts = SlotFacts(header: .zeroed, bodyComplete: false, bodyValid: false, followsPrevious: false,
                                      laterBatchFollows: laterBatchRecord(in: bytes, after: offset, than: expected))
                case let .incompleteBody(header, available):
                    reason = "record \(header.position) needs \(header.storedLength) body bytes, \(available) left"
                    facts = SlotFacts(header: .valid, bodyComplete: false, bodyValid: false, followsPrevious: false,
                                      laterBatchFollows: laterSegmentHasRecords || laterBatchRecord(in: bytes, after: offset, than: expected))
                case let .damaged(why):
                    reason = why
                    let headerOK: Bool
                    if case .valid = RecordHeader.parse(slot) { headerOK = true } else { headerOK = false }
                    facts = SlotFacts(header: headerOK ? .valid : .damaged, bodyComplete: true, bodyValid: false, followsPrevious: false,
                                      laterBatchFollows: laterSegmentHasRecords || laterBatchRecord(in: bytes, after: offset, than: expected))
                }
            }
            switch SlotRecovery.decide(facts) {
            case .intact:
                let header = found!
                if previous?.term != header.position.term { scan.termStarts.append((header.position.term, header.position.index)) }
                scan.offsets.append(UInt64(offset))
                scan.lastPosition = header.position
                previous = header.position
                expected = header.position.index.next
                offset += header.recordSize
                scan.endOffset = offset
            case .cleanEnd:
                // The next segment holds records from a later index: this one cannot end here.
                // A hole, not a torn tail, whatever follows (cutting it as one would delete the
                // later segments' durable records).
                if let nextSegmentFirst, expected != nextSegmentFirst {
                    scan.ending = .corruption(
                        offset: offset, expected: expected, reason: "records end before \(expected.rawValue), but the next segment starts at \(nextSegmentFirst.rawValue): the journal has a gap")
                    return scan
                }
                // Bytes after the end (pieces of a torn batch beyond a zeroed sector) are cut
                // like a torn tail, so later appends never land among stale records.
                scan.ending = strayBytes(in: bytes, from: offset, segmentFirst: firstIndex, volumeID: volumeID)
                    .map { .tornTail(offset: offset, reason: $0) } ?? .clean
                return scan
            case .truncateTornTail:
                scan.ending = .tornTail(offset: offset, reason: reason)
                return scan
            case .corruption:
                scan.ending = .corruption(offset: offset, expected: expected, reason: reason)
                return scan
            }
        }
    }

    /// A record of a recycled segment's earlier use: its index is below the segment's first, which
    /// no record of this use can be (indices only rise, and trimmed ones are never reused).
    static func isFromEarlierUse(_ header: RecordHeader, segmentFirst: JournalIndex, volumeID: VolumeID) -> Bool {
        header.volumeID == volumeID && header.position.index < segmentFirst
    }

    /// Why the bytes after the journal's end in this segment must be cut, or nil if they are
    /// zeros or a recycled segment's earlier use. A record header of this use there (a torn
    /// batch's piece) or unexplained bytes in a segment that was never recycled are cut, so
    /// later appends never land among records that could be taken for theirs.
    static func strayBytes(in bytes: UnsafeRawBufferPointer, from offset: Int, segmentFirst: JournalIndex, volumeID: VolumeID) -> String? {
        let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        guard rest.contains(where: { $0 != 0 }) else { return nil }
        var recycled = false
        var from = offset - 1
        while let (found, header) = RecordHeader.nextValid(in: bytes, after: from) {
            guard isFromEarlierUse(header, segmentFirst: segmentFirst, volumeID: volumeID) else {
                return "record header \(header.position) at \(found), after the last record"
            }
            recycled = true
            from = found
        }
        return recycled ? nil : "stray bytes after the last record"
    }

    /// Whether a valid header of a later write batch than the one `expected` belongs to lies
    /// after `offset`.
    static func laterBatchRecord(in bytes: UnsafeRawBufferPointer, after offset: Int, than expected: JournalIndex) -> Bool {
        var from = offset
        while let (found, header) = RecordHeader.nextValid(in: bytes, after: from) {
            if header.batchFirstIndex > expected { return true }
            from = found
        }
        return false
    }
}
