import JBRCore

/// One segment file and the offsets of the durable records in it.
///
/// Mutable fields change only under the journal's lock; readers take a `Snapshot` under the lock
/// and read the file outside it.
final class Segment: @unchecked Sendable {
    let firstIndex: JournalIndex
    let file: FileDescriptor
    var name: String { SegmentName.name(firstIndex: firstIndex) }
    /// Byte offset of each durable record, record `firstIndex + k` at `offsets[k]`.
    var offsets: [UInt64]
    /// Where the durable records end (and the next append goes).
    var endOffset: Int
    /// The size the segment was made ready to; appends past it grow the file.
    var capacity: Int

    init(firstIndex: JournalIndex, file: FileDescriptor, offsets: [UInt64], endOffset: Int, capacity: Int) {
        self.firstIndex = firstIndex
        self.file = file
        self.offsets = offsets
        self.endOffset = endOffset
        self.capacity = capacity
    }

    var lastIndex: JournalIndex? {
        offsets.isEmpty ? nil : JournalIndex(firstIndex.rawValue + UInt64(offsets.count) - 1)
    }

    func contains(_ index: JournalIndex) -> Bool {
        guard let lastIndex else { return false }
        return index >= firstIndex && index <= lastIndex
    }

    func offset(of index: JournalIndex) -> Int {
        precondition(contains(index), "record \(index) is not in segment \(name)")
        return Int(offsets[Int(index.rawValue - firstIndex.rawValue)])
    }

    /// The byte range of records `from...through` (both in this segment).
    func byteRange(from: JournalIndex, through: JournalIndex) -> Range<Int> {
        let start = offset(of: from)
        let end = through == lastIndex ? endOffset : offset(of: through.next)
        return start..<end
    }
}
