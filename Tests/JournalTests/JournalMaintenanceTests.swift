import Foundation
import JBRCore
import Testing
@testable import Journal

@Suite struct JournalMaintenanceTests {
    @Test func truncateRemovesTheSuffixDurablyAndAppendsContinue() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        let records = (1...400).map { record(UInt64($0), term: $0 <= 200 ? 2 : 3, size: 500) }
        try await journal.append(records)
        journal.noteCommitted(through: JournalIndex(150))
        try await journal.truncate(after: JournalIndex(180))
        #expect(journal.lastPosition == records[179].position)
        #expect(throws: JournalError.self) { try journal.records(from: JournalIndex(181), through: JournalIndex(181)) }
        #expect(journal.termTable.ranges(lastIndex: JournalIndex(180)).map(\.term) == [Term(2)], "term 3 is gone with its records")
        let replacement = (181...190).map { record(UInt64($0), term: 4, size: 30) }
        try await journal.append(replacement)
        await journal.close()

        let reopened = try Journal.open(configuration)
        #expect(reopened.lastPosition == replacement.last!.position)
        #expect(try reopened.records(from: JournalIndex(170), through: JournalIndex(190)) == Array(records[169..<180]) + replacement)
        #expect(reopened.termTable.term(of: JournalIndex(185)) == Term(4))
        await reopened.close()
    }

    /// A follower rebuilt by a full resync: the journal holds nothing, continues after the
    /// floor, knows the floor's term, and opens again the same.
    @Test func resetEmptiesTheJournalToAFloorPastItsEnd() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        try await journal.append((1...300).map { record(UInt64($0), term: 2, size: 1000) })
        let floor = LogPosition(term: Term(5), index: JournalIndex(1000))
        try await journal.reset(toFloor: floor)
        #expect(journal.lastPosition == floor && journal.firstIndex == JournalIndex(1001))
        #expect(journal.termTable.term(of: JournalIndex(1000)) == Term(5))
        #expect(throws: JournalError.self) { try journal.records(from: JournalIndex(300), through: JournalIndex(300)) }
        try await journal.append((1001...1010).map { record(UInt64($0), term: 6, size: 100) })
        await journal.close()
        let reopened = try Journal.open(configuration)
        #expect(reopened.lastPosition.index == JournalIndex(1010) && reopened.firstIndex == JournalIndex(1001))
        #expect(try FileManager.default.contentsOfDirectory(atPath: configuration.directory).filter { SegmentName.firstIndex(of: $0) != nil }.count == 1)
        await reopened.close()
    }

    @Test func truncateToTheSegmentBoundaryAndToNothing() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        try await journal.append((1...300).map { record(UInt64($0), size: 1000) })
        let secondSegmentStart = journal.locked { $0.segments[1].firstIndex }
        try await journal.truncate(after: secondSegmentStart.previous)
        #expect(journal.lastPosition.index == secondSegmentStart.previous)
        try await journal.truncate(after: .zero)
        #expect(journal.lastPosition == .zero)
        try await journal.append([record(1, term: 9)])
        await journal.close()
        let reopened = try Journal.open(configuration)
        #expect(try reopened.records(from: JournalIndex(1), through: JournalIndex(1)) == [record(1, term: 9)])
        await reopened.close()
    }

    @Test func trimDeletesOnlyWholeSegmentsBelowThePoint() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        let records = (1...400).map { record(UInt64($0), term: $0 <= 50 ? 1 : 2, size: 1000) }
        try await journal.append(records)
        let segmentsBefore = journal.locked { $0.segments.map { ($0.firstIndex, $0.lastIndex!) } }
        let first = try journal.trim(before: JournalIndex(200))
        // Everything at or after 200 is still readable; the new first index is a segment start.
        #expect(first <= JournalIndex(200))
        #expect(segmentsBefore.contains { $0.0 == first })
        #expect(try journal.records(from: JournalIndex(200), through: JournalIndex(400)).count == 201)
        #expect(throws: JournalError.self) { try journal.records(from: first.previous, through: first) }
        #expect(journal.termTable.term(of: first.previous) == Term(2), "the last trimmed record's term stays known")
        // Retention counts whole segments from the newest.
        let newest = journal.locked { $0.segments.last!.firstIndex }
        #expect(journal.retentionStart(bytes: 1) == newest)
        #expect(journal.retentionStart(bytes: Int.max) == first)
        await journal.close()

        let reopened = try Journal.open(configuration)
        #expect(reopened.firstIndex == first)
        #expect(reopened.termTable.term(of: JournalIndex(10)) == Term(1), "trimmed history of terms survives reopening")
        #expect(try reopened.records(from: first, through: JournalIndex(400)) == Array(records[Int(first.rawValue - 1)...]))
        await reopened.close()
    }

    struct TrimCase: Sendable, CustomTestStringConvertible {
        var store: UInt64, geo: [UInt64], retainedFrom: UInt64, expected: UInt64, why: String
        var testDescription: String { why }
    }

    static let trimCases: [TrimCase] = [
        TrimCase(store: 10, geo: [40], retainedFrom: 100, expected: 11, why: "the store is the slowest"),
        TrimCase(store: 50, geo: [15], retainedFrom: 100, expected: 16, why: "a geo cursor is"),
        TrimCase(store: 50, geo: [60], retainedFrom: 30, expected: 30, why: "the retained part is kept though every consumer passed it"),
        TrimCase(store: 50, geo: [], retainedFrom: 51, expected: 51, why: "without geo sessions, the store and retention decide"),
        TrimCase(store: 0, geo: [], retainedFrom: 1, expected: 1, why: "nothing applied yet: nothing trimmed"),
    ]

    @Test(arguments: trimCases)
    func trimPolicyNeverPassesAConsumerNorTheRetainedPart(_ c: TrimCase) {
        let consumers = TrimPolicy.Consumers(storeCheckpoint: JournalIndex(c.store), geoCursors: c.geo.map { JournalIndex($0) })
        let point = TrimPolicy.trimPoint(consumers: consumers, retainedFrom: JournalIndex(c.retainedFrom))
        #expect(point == JournalIndex(c.expected))
    }

    @Test func oversizedRecordsGetASegmentOfTheirOwn() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 1 << 20)
        let journal = try Journal.open(configuration)
        let big = JournalRecord(position: LogPosition(term: Term(1), index: JournalIndex(2)), type: .operation, body: body(for: 2, size: 16 << 20))
        try await journal.append([record(1), big, record(3)])
        #expect(try journal.records(from: JournalIndex(1), through: JournalIndex(3)) == [record(1), big, record(3)])
        // maxBytes stops before a record that would pass it, but returns at least one.
        #expect(try journal.records(from: JournalIndex(1), through: JournalIndex(3), maxBytes: 1000) == [record(1)])
        #expect(try journal.records(from: JournalIndex(2), through: JournalIndex(3), maxBytes: 1000) == [big])
        await journal.close()
        let reopened = try Journal.open(configuration)
        #expect(reopened.lastPosition.index == JournalIndex(3))
        await reopened.close()
    }

    @Test func aBacklogOverTheLimitIsRefused() async throws {
        let directory = TemporaryDirectory()
        var configuration = journalConfiguration(directory)
        configuration.maxBacklogBytes = 64 << 10
        configuration.maxBatchBytes = 4 << 10
        let journal = try Journal.open(configuration)
        var refused = false
        for index in 1...1000 {
            do {
                try journal.append(journal.prepare(.operation, body: body(for: UInt64(index), size: 4000)), at: LogPosition(term: Term(1), index: JournalIndex(UInt64(index))))
            } catch JournalError.backlogFull {
                refused = true
                break
            }
        }
        #expect(refused, "1000 × 4 KB appended without waiting never hit a 64 KiB backlog")
        await journal.close()
    }

    @Test func programmerErrorsStopTheProcess() async {
        // The directories belong to this process: the crashing child cannot clean up.
        let gap = TemporaryDirectory()
        let gapPath: String = gap.path
        await #expect(processExitsWith: .failure) { [gapPath = gapPath as String] in
            let path = gapPath
            var configuration = JournalConfiguration(directory: path + "/journal", volumeID: testVolume)
            configuration.segmentBytes = 1 << 20
            let journal = try Journal.open(configuration)
            try journal.append(journal.prepare(.operation, body: [1]), at: LogPosition(term: Term(1), index: JournalIndex(2)))
        }
        let committed = TemporaryDirectory()
        let committedPath: String = committed.path
        await #expect(processExitsWith: .failure) { [committedPath = committedPath as String] in
            let path = committedPath
            var configuration = JournalConfiguration(directory: path + "/journal", volumeID: testVolume)
            configuration.segmentBytes = 1 << 20
            let journal = try Journal.open(configuration)
            try await journal.append([record(1), record(2)])
            journal.noteCommitted(through: JournalIndex(2))
            try await journal.truncate(after: JournalIndex(1))
        }
    }
}
