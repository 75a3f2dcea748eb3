import Foundation
import JBRCore
import Testing
@testable import Journal

/// Trimmed segments reused as spares: their old records stay on disk beyond the journal's end,
/// and neither recovery, reads nor logdump may take them for the journal's.
@Suite struct JournalRecyclingTests {
    static let segmentBytes = 64 << 10

    func inode(_ path: String) throws -> UInt64 {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
    }

    func segmentFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { SegmentName.firstIndex(of: $0) != nil }.sorted()
    }

    /// A journal of records 1...560 (1,000-byte bodies, 64 KiB segments) whose segments below
    /// 300 were trimmed after 400 and recycled for the later ones (the last of them active). Returns the directory, the
    /// configuration, the records still held, and the reused segments' content before reuse.
    func recycledJournal(in directory: TemporaryDirectory) async throws -> (JournalConfiguration, [JournalRecord], [UInt64: Data]) {
        let configuration = journalConfiguration(directory, segmentBytes: Self.segmentBytes)
        let journal = try Journal.open(configuration)
        let records = (1...560).map { record(UInt64($0), size: 1000) }
        try await journal.append(Array(records[0..<400]))
        let first = try journal.trim(before: JournalIndex(300))
        #expect(journal.preparer.recycling.kept >= 2)
        // What the recycled spares hold now: their old records.
        var before: [UInt64: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: configuration.directory) where SegmentName.isSpare(name) {
            let path = configuration.directory + "/" + name
            before[try inode(path)] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        // One record per batch at the end, so the last batch is a single record.
        try await journal.append(Array(records[400..<559]))
        try await journal.append([records[559]])
        #expect(journal.statistics.reusedSegments >= 2)
        await journal.close()
        return (configuration, Array(records[Int(first.rawValue - 1)...]), before)
    }

    @Test func trimmedSegmentsAreReusedAndReopenCleanly() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let (configuration, held, before) = try await recycledJournal(in: directory)
        let reused = try segmentFiles(configuration.directory).filter { before[try inode(configuration.directory + "/" + $0)] != nil }
        #expect(reused.count >= 2, "rotation took the recycled spares")

        let journal = try Journal.open(configuration)
        #expect(journal.recoveryReport.tornTail == nil)
        #expect(journal.recoveryReport.repairedCorruption == nil)
        #expect(journal.lastPosition.index == JournalIndex(560))
        #expect(try journal.records(from: held[0].position.index, through: JournalIndex(560)) == held)
        try await journal.append([record(561, size: 1000)])
        await journal.close()
        #expect(try Journal.open(configuration).lastPosition.index == JournalIndex(561))
    }

    @Test func logdumpShowsNoneOfARecycledSegmentsOldRecords() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let (configuration, held, _) = try await recycledJournal(in: directory)
        var indices: [JournalIndex] = []
        try JournalInspector.inspect(directory: configuration.directory) { item in
            switch item {
            case let .record(_, _, header, _): indices.append(header.position.index)
            case let .damage(segment, offset, reason, _): Issue.record("damage in \(segment) at \(offset): \(reason)")
            case .otherFile: break
            }
        }
        #expect(indices == held.map(\.position.index))
    }

    /// A crash while the last record was written into a recycled segment: the record keeps its
    /// first `keep` bytes and the disk still shows the segment's old content after them.
    @Test func aTornTailOverOldRecordsIsCutBackToTheLastWholeRecord() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let (configuration, held, before) = try await recycledJournal(in: directory)
        let probe = try Journal.open(configuration)
        let (active, lastOffset, lastSize) = probe.locked { state in
            let segment = state.segments.last!
            let last = Int(segment.offsets.last!)
            return (segment.name, last, segment.endOffset - last)
        }
        await probe.close()
        let path = configuration.directory + "/" + active
        let old = try #require(before[try inode(path)], "the active segment is a recycled one")
        let current = try Data(contentsOf: URL(fileURLWithPath: path))
        for keep in stride(from: 0, to: lastSize, by: 61) {
            var torn = current
            torn.replaceSubrange((lastOffset + keep)..<torn.count, with: old[(lastOffset + keep)...])
            try torn.write(to: URL(fileURLWithPath: path))
            let journal = try Journal.open(configuration)
            #expect(journal.lastPosition.index == JournalIndex(559), "kept \(keep) bytes")
            #expect(try journal.records(from: JournalIndex(550), through: JournalIndex(559)) == Array(held.suffix(11).prefix(10)))
            try await journal.append([record(560, term: 2, size: 10)])
            await journal.close()
            let reopened = try Journal.open(configuration)
            #expect(reopened.recoveryReport.tornTail == nil, "kept \(keep): \(String(describing: reopened.recoveryReport.tornTail))")
            #expect(try reopened.records(from: JournalIndex(560), through: JournalIndex(560)) == [record(560, term: 2, size: 10)])
            await reopened.close()
        }
    }

    /// A crash right after rotation renamed a recycled spare into place: the new segment holds
    /// only old records, and the journal goes on from it.
    @Test func aRenamedSpareWithOnlyOldRecordsIsAnEmptySegment() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let (configuration, _, before) = try await recycledJournal(in: directory)
        let oldContent = try #require(before.values.first)
        let next = configuration.directory + "/" + SegmentName.name(firstIndex: JournalIndex(561))
        try oldContent.write(to: URL(fileURLWithPath: next))
        let journal = try Journal.open(configuration)
        #expect(journal.recoveryReport.tornTail == nil)
        #expect(journal.lastPosition.index == JournalIndex(560))
        try await journal.append([record(561, size: 1000)])
        #expect(journal.locked { $0.segments.last!.name } == SegmentName.name(firstIndex: JournalIndex(561)))
        await journal.close()
        let reopened = try Journal.open(configuration)
        #expect(try reopened.records(from: JournalIndex(561), through: JournalIndex(561)) == [record(561, size: 1000)])
        await reopened.close()
    }

    /// Same, but the previous segment's last record was torn: still a torn tail, not corruption
    /// (the renamed spare's old first record does not count as a later record).
    @Test func aTornTailBeforeARenamedSpareIsNotCorruption() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let (configuration, _, before) = try await recycledJournal(in: directory)
        let probe = try Journal.open(configuration)
        let (active, lastOffset) = probe.locked { ($0.segments.last!.name, Int($0.segments.last!.offsets.last!)) }
        await probe.close()
        let path = configuration.directory + "/" + active
        var current = try Data(contentsOf: URL(fileURLWithPath: path))
        current.replaceSubrange((lastOffset + 10)..<(lastOffset + 100), with: [UInt8](repeating: 0xA5, count: 90))
        try current.write(to: URL(fileURLWithPath: path))
        try #require(before.values.first).write(to: URL(fileURLWithPath: configuration.directory + "/" + SegmentName.name(firstIndex: JournalIndex(561))))
        let journal = try Journal.open(configuration)
        #expect(journal.recoveryReport.tornTail?.offset == lastOffset)
        #expect(journal.lastPosition.index == JournalIndex(559))
        await journal.close()
    }

    /// A whole record of this use after the journal's end (the later piece of a torn batch) is
    /// cut, so a later append cannot land in front of it and let recovery take it back.
    @Test func aTornBatchsLaterRecordAmongOldOnesIsCut() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let (configuration, _, _) = try await recycledJournal(in: directory)
        let journal = try Journal.open(configuration)
        try await journal.append([record(561, size: 1000), record(562, size: 1000)])
        let (active, offsets) = journal.locked { ($0.segments.last!.name, $0.segments.last!.offsets.suffix(2).map { Int($0) }) }
        await journal.close()
        let path = configuration.directory + "/" + active
        var current = try Data(contentsOf: URL(fileURLWithPath: path))
        // The batch's first record never reached the disk; its second did.
        current.replaceSubrange(offsets[0]..<offsets[1], with: [UInt8](repeating: 0, count: offsets[1] - offsets[0]))
        try current.write(to: URL(fileURLWithPath: path))
        let reopened = try Journal.open(configuration)
        #expect(reopened.lastPosition.index == JournalIndex(560))
        #expect(reopened.recoveryReport.tornTail?.offset == offsets[0])
        await reopened.close()
    }
}
