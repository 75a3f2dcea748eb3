import JBRCore

/// Reads a journal directory without changing it, for `logdump`: every record in order, and
/// every damaged stretch reported with where the scan picked up again, instead of stopping.
public enum JournalInspector {
    public enum Item: Sendable {
        case record(segment: String, offset: Int, header: RecordHeader, record: JournalRecord)
        /// Bytes from `offset` that hold no valid record; the scan resumed at `resumedAt` (the
        /// next valid header) or found none before the segment's end.
        case damage(segment: String, offset: Int, reason: String, resumedAt: Int?)
        /// A file in the directory that is not a segment (spares, the term table, strangers).
        case otherFile(name: String)
    }

    /// Calls `visit` for each item, segment by segment, in index order. A record whose index
    /// does not follow the one before (a gap between segments, a misplaced record) is reported
    /// as damage before it: recovery refuses such a journal, and logdump must not call it sound.
    public static func inspect(directory: String, visit: (Item) throws -> Void) throws {
        var expected: JournalIndex?
        for name in try Directory.entries(directory) {
            guard SegmentName.firstIndex(of: name) != nil else {
                try visit(.otherFile(name: name))
                continue
            }
            let file = try FileDescriptor.open("\(directory)/\(name)", flags: O_RDONLY)
            let bytes = try file.read(count: try file.size(), at: 0)
            try bytes.withUnsafeBytes { bytes in
                try inspect(segment: name, bytes: bytes) { item in
                    if case let .record(segment, offset, header, _) = item {
                        let index = header.position.index
                        if let expected, index != expected {
                            let reason = index > expected
                                ? "records \(expected.rawValue) to \(index.rawValue - 1) are missing before record \(index.rawValue)"
                                : "record \(header.position) where \(expected.rawValue) was expected"
                            try visit(.damage(segment: segment, offset: offset, reason: reason, resumedAt: offset))
                        }
                        expected = index.next
                    } else if case .damage = item {
                        // Records lost to reported damage are not reported missing again.
                        expected = nil
                    }
                    try visit(item)
                }
            }
        }
    }

    static func inspect(segment: String, bytes: UnsafeRawBufferPointer, visit: (Item) throws -> Void) throws {
        // A recycled segment still holds its earlier use's records (lower indices) after the
        // journal's end; they are not shown, nor is the boundary reported as damage.
        let first = SegmentName.firstIndex(of: segment) ?? JournalIndex(1)
        func earlierUse(at offset: Int?) -> Bool {
            guard let offset, case let .valid(header) = RecordHeader.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...])) else { return false }
            return header.position.index < first
        }
        var offset = 0
        // Fewer bytes than a header at the end hold no record: a record that did not fit made
        // the writer rotate, leaving them (zeros, or an earlier use's).
        while bytes.count - offset >= RecordHeader.encodedSize {
            switch RecordReader.read(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
            case let .record(header, _) where header.position.index < first:
                return
            case let .record(header, record):
                try visit(.record(segment: segment, offset: offset, header: header, record: record))
                offset += header.recordSize
            case .zeroed:
                // Preallocated space; anything after it is reported as damage below.
                guard let next = nextHeader(in: bytes, after: offset), !earlierUse(at: next) else { return }
                try visit(.damage(segment: segment, offset: offset, reason: "zeroed space before more records", resumedAt: next))
                offset = next
            case let .incompleteBody(header, available):
                try visit(.damage(segment: segment, offset: offset, reason: "record \(header.position) cut short: \(available) of \(header.storedLength) body bytes", resumedAt: nil))
                return
            case let .damaged(reason):
                var next = nextHeader(in: bytes, after: offset)
                if earlierUse(at: next) { next = nil }
                try visit(.damage(segment: segment, offset: offset, reason: reason, resumedAt: next))
                guard let next else { return }
                offset = next
            }
        }
    }

    static func nextHeader(in bytes: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        RecordHeader.nextValid(in: bytes, after: offset)?.offset
    }
}

#if canImport(Glibc)
import Glibc
#endif
