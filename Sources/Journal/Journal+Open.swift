import Foundation
import JBRCore

/// What opening a journal found and did; the brick logs it.
public struct RecoveryReport: Hashable, Sendable {
    public var segments = 0
    public var records = 0
    public var lastPosition: LogPosition = .zero
    /// A torn tail cut back to the last whole record: segment, byte offset, what was wrong.
    public var tornTail: Cut?
    /// Damage cut away because `repairCorruption` was set; the records after `lostAfter` must
    /// be fetched again from a peer.
    public var repairedCorruption: Cut?
    public var lostAfter: JournalIndex?
    /// Spare and temporary files of an interrupted rotation or table update, removed.
    public var removedTemporaries = 0
    /// Segments with no records left behind by an interrupted rotation or trim, removed.
    public var removedEmptySegments = 0

    public struct Cut: Hashable, Sendable {
        public var segment: String
        public var offset: Int
        public var reason: String
    }
}

extension Journal {
    /// Opens (creating if needed) the journal in `configuration.directory` and recovers it:
    /// every segment is scanned and both checksums of every record verified; a torn tail is cut
    /// back to the last whole record; damage before the tail throws `JournalError.corruption`
    /// unless `repairCorruption` is set.
    public static func open(_ configuration: JournalConfiguration) throws -> Journal {
        configuration.validate()
        let directory = configuration.directory
        try Directory.create(directory)
        var report = RecoveryReport()
        let names = try Directory.entries(directory)
        for name in names where SegmentName.isSpare(name) || name == TermTable.fileName + ".tmp" {
            try Directory.remove("\(directory)/\(name)")
            report.removedTemporaries += 1
        }
        let stored = try TermTable.load(from: directory)
        var terms = TermTable()
        terms.trimmedThrough = stored?.trimmedThrough ?? .zero
        for start in stored?.starts ?? [] where start.firstIndex <= terms.trimmedThrough.index {
            terms.noteAppended(LogPosition(term: start.term, index: start.firstIndex))
        }

        var listed = names.compactMap { name in SegmentName.firstIndex(of: name).map { (firstIndex: $0, name: name) } }
        // Segments wholly below the trim point: a trim that persisted its table, then crashed
        // before it unlinked them. Finish it.
        while listed.count > 1, listed[1].firstIndex <= terms.trimmedThrough.index.next {
            try Directory.remove("\(directory)/\(listed.removeFirst().name)")
        }
        if terms.trimmedThrough == .zero, let first = listed.first, first.firstIndex > JournalIndex(1) {
            // The table is lost and the journal was trimmed: the terms of trimmed records are unknown.
            terms.trimmedThrough = LogPosition(term: .zero, index: first.firstIndex.previous)
        }

        var segments: [Segment] = []
        var previous: LogPosition? = terms.trimmedThrough == .zero ? nil : terms.trimmedThrough
        var expected = terms.trimmedThrough.index.next
        // Asked once per segment: each segment's scan needs to know about those after it.
        let holdsRecords = listed.map { segmentHasRecords("\(directory)/\($0.name)") }
        for (position, entry) in listed.enumerated() {
            let path = "\(directory)/\(entry.name)"
            let file = try FileDescriptor.open(path, flags: O_RDWR)
            let later = holdsRecords[(position + 1)...].contains(true)
            if entry.firstIndex != expected {
                if later || holdsRecords[position] {
                    let reason = "segment starts at \(entry.firstIndex.rawValue); the journal has a gap"
                    guard configuration.repairCorruption else {
                        throw JournalError.corruption(segment: entry.name, offset: 0, expected: expected, reason: reason)
                    }
                    // Repair keeps what comes before the gap: this segment and the later ones go.
                    for dropped in listed[position...] { try Directory.remove("\(directory)/\(dropped.name)") }
                    try Directory.sync(directory)
                    // Reported where the journal now ends: the end of the segment before the gap.
                    let end = segments.last.map { ($0.name, $0.endOffset) } ?? (entry.name, 0)
                    report.repairedCorruption = .init(segment: end.0, offset: end.1, reason: reason)
                    report.lostAfter = expected.previous
                    break
                }
                try Directory.remove(path)
                report.removedEmptySegments += 1
                continue
            }
            let bytes = try file.read(count: try file.size(), at: 0)
            let nextFirst = position + 1 < listed.count && holdsRecords[position + 1] ? listed[position + 1].firstIndex : nil
            let scan = bytes.withUnsafeBytes { bytes in
                SegmentScanner.scan(
                    bytes, firstIndex: entry.firstIndex, previous: previous, volumeID: configuration.volumeID, laterSegmentHasRecords: later,
                    nextSegmentFirst: nextFirst)
            }
            let segment = Segment(firstIndex: entry.firstIndex, file: file, offsets: scan.offsets, endOffset: scan.endOffset, capacity: configuration.segmentBytes)
            segments.append(segment)
            for (term, first) in scan.termStarts { terms.noteAppended(LogPosition(term: term, index: first)) }
            previous = scan.lastPosition ?? previous
            expected = (previous?.index ?? .zero).next
            report.records += scan.offsets.count
            switch scan.ending {
            case .clean:
                continue
            case let .tornTail(offset, reason):
                try cut(segment, at: offset, configuration: configuration)
                // Later segments hold no records (else this would be corruption): leftovers of
                // an interrupted rotation, removed so the next rotation can take their names.
                for dropped in listed[(position + 1)...] { try Directory.remove("\(directory)/\(dropped.name)") }
                try Directory.sync(directory)
                report.tornTail = .init(segment: entry.name, offset: offset, reason: reason)
            case let .corruption(offset, expectedIndex, reason):
                guard configuration.repairCorruption else {
                    throw JournalError.corruption(segment: entry.name, offset: offset, expected: expectedIndex, reason: reason)
                }
                try cut(segment, at: offset, configuration: configuration)
                for dropped in listed[(position + 1)...] { try Directory.remove("\(directory)/\(dropped.name)") }
                try Directory.sync(directory)
                report.repairedCorruption = .init(segment: entry.name, offset: offset, reason: reason)
                report.lostAfter = expectedIndex.previous
            }
            break
        }
        if segments.isEmpty {
            segments.append(try createSegment(firstIndex: expected, configuration: configuration))
        }
        // Records a crash left on disk unsynced are made durable before anyone is told of them.
        try segments[segments.count - 1].file.syncAll()
        if stored != terms { try terms.persist(in: directory) }

        report.segments = segments.count
        report.lastPosition = previous ?? .zero
        let last = previous ?? .zero
        let preparer = SparePreparer(directory: directory, segmentBytes: configuration.segmentBytes, enabled: configuration.preallocation == .zeroFill)
        let journal = Journal(
            configuration: configuration,
            state: State(segments: segments, lastPosition: last, durablePosition: last, terms: terms),
            preparer: preparer, recoveryReport: report)
        preparer.start()
        journal.startWriter()
        return journal
    }

    /// Cuts a segment at `offset` durably and makes the space after it ready again.
    static func cut(_ segment: Segment, at offset: Int, configuration: JournalConfiguration) throws {
        try segment.file.truncate(to: offset)
        if configuration.preallocation == .zeroFill {
            try segment.file.writeZeros(from: offset, to: max(offset, configuration.segmentBytes))
        }
        try segment.file.syncAll()
    }

    static func createSegment(firstIndex: JournalIndex, configuration: JournalConfiguration) throws -> Segment {
        let path = "\(configuration.directory)/\(SegmentName.name(firstIndex: firstIndex))"
        let file = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_EXCL)
        if configuration.preallocation == .zeroFill {
            try file.writeZeros(from: 0, to: configuration.segmentBytes)
        }
        try file.syncAll()
        try Directory.sync(configuration.directory)
        return Segment(firstIndex: firstIndex, file: file, offsets: [], endOffset: 0, capacity: configuration.segmentBytes)
    }

    /// Whether the segment's first slot holds a whole, valid record of its own (a recycled
    /// segment not yet written holds records of its earlier use, with lower indices).
    static func segmentHasRecords(_ path: String) -> Bool {
        let name = String(path.split(separator: "/").last ?? "")
        guard let firstIndex = SegmentName.firstIndex(of: name),
            let file = try? FileDescriptor.open(path, flags: O_RDONLY),
            let header = try? file.read(count: RecordHeader.encodedSize, at: 0),
            case let .valid(parsed) = header.withUnsafeBytes({ RecordHeader.parse($0) }),
            parsed.position.index == firstIndex,
            // A forged length is refused before it is read, as `RecordReader` refuses it.
            parsed.originalLength <= JournalLimits.maxBodyBytes, parsed.recordSize <= JournalLimits.maxRecordBytes,
            let whole = try? file.read(count: parsed.recordSize, at: 0)
        else { return false }
        if case .record = whole.withUnsafeBytes({ RecordReader.read($0, decompress: false) }) { return true }
        return false
    }
}
