import Foundation
import JBRCore
import Testing
@testable import Journal

@Suite struct JournalConcurrencyTests {
    /// Many appenders in index order, readers racing them: every read sees whole, valid,
    /// consecutive records and nothing that is not yet durable.
    @Test func readersRacingAppendersSeeOnlyWholeRecords() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory, segmentBytes: 256 << 10))
        let order = IndexSequencer()
        let total = 64 * 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    for _ in 0..<40 {
                        let index = try order.appendNext(to: journal) { index in journal.prepare(.operation, body: body(for: index, size: 700)) }
                        try await journal.waitUntilDurable(JournalIndex(index))
                    }
                }
            }
            for reader in 0..<4 {
                group.addTask {
                    var reads = 0
                    while journal.durablePosition.index.rawValue < UInt64(total) || reads == 0 {
                        // Readers must suspend: on two cores, spinning readers would occupy the
                        // whole cooperative pool and starve the appenders they wait for.
                        await Task.yield()
                        let durable = journal.durablePosition.index
                        guard durable > .zero else { continue }
                        let from = JournalIndex(UInt64(reader * 97 % Int(durable.rawValue)) + 1)
                        let records = try journal.records(from: from, through: JournalIndex(UInt64(total)), maxBytes: 64 << 10)
                        for (offset, record) in records.enumerated() {
                            let index = from.rawValue + UInt64(offset)
                            #expect(record.position.index.rawValue == index)
                            #expect(record.body == body(for: index, size: 700))
                        }
                        #expect(records.last!.position.index <= journal.durablePosition.index)
                        reads += 1
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(journal.durablePosition.index == JournalIndex(UInt64(total)))
        let all = try journal.records(from: JournalIndex(1), through: JournalIndex(UInt64(total)))
        #expect(all.map(\.position.index.rawValue) == Array(1...UInt64(total)))
        await journal.close()
    }

    /// What an interrupted rotation, table update or trim leaves is cleaned up on open.
    @Test func aCrashBetweenRotationStepsRecovers() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        try await journal.append((1...100).map { record(UInt64($0), size: 1000) })
        let last = journal.lastPosition
        await journal.close()
        let path = configuration.directory
        // A spare that was being prepared, a table being replaced, an empty segment renamed
        // into place whose directory entry survived, and one with a name that fits nothing.
        for leftover in ["spare-7.tmp", "terms.tmp", SegmentName.name(firstIndex: last.index.next), SegmentName.name(firstIndex: JournalIndex(5000))] {
            _ = FileManager.default.createFile(atPath: "\(path)/\(leftover)", contents: Data(count: 4096))
        }
        let reopened = try Journal.open(configuration)
        #expect(reopened.lastPosition == last)
        #expect(reopened.recoveryReport.removedTemporaries == 2)
        #expect(reopened.recoveryReport.removedEmptySegments == 1)
        try await reopened.append((101...200).map { record(UInt64($0), size: 1000) })
        #expect(try reopened.records(from: JournalIndex(1), through: JournalIndex(200)).count == 200)
        await reopened.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        #expect(!names.contains("spare-7.tmp") && !names.contains(SegmentName.name(firstIndex: JournalIndex(5000))))
    }

    /// A gap between segments (a lost file) with records after it is corruption, not a tail.
    @Test func aMissingSegmentIsCorruption() async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        try await journal.append((1...300).map { record(UInt64($0), size: 1000) })
        let middle = journal.locked { $0.segments[1].name }
        await journal.close()
        try FileManager.default.removeItem(atPath: "\(configuration.directory)/\(middle)")
        #expect {
            try Journal.open(configuration)
        } throws: { error in
            guard case JournalError.corruption(_, _, _, let reason) = error else { return false }
            return reason.contains("gap")
        }
    }
}
