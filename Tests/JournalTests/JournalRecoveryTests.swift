import Foundation
import JBRCore
import Testing
@testable import Journal

/// Crash recovery on real files: what a crash, a torn write or bit rot leaves behind.
@Suite struct JournalRecoveryTests {
    /// Writes `count` records in batches of `batch` (one sync each), closes, and returns the
    /// directory, the records and the byte offset where the last record starts.
    func writtenJournal(count: Int, batch: Int = 1, size: Int = 300, compressible: Bool = false) async throws -> (TemporaryDirectory, [JournalRecord], Int) {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        var records: [JournalRecord] = []
        for start in stride(from: 1, through: count, by: batch) {
            let chunk = (start...min(count, start + batch - 1)).map {
                JournalRecord(position: LogPosition(term: Term(1), index: JournalIndex(UInt64($0))), type: .operation,
                              body: body(for: UInt64($0), size: size, compressible: compressible))
            }
            try await journal.append(chunk)
            records += chunk
        }
        let lastOffset = journal.locked { $0.segments.last!.offsets.last! }
        await journal.close()
        return (directory, records, Int(lastOffset))
    }

    func segmentPath(_ directory: TemporaryDirectory, first: UInt64 = 1) -> String {
        directory.path + "/journal/" + SegmentName.name(firstIndex: JournalIndex(first))
    }

    /// Simulates a torn write: the last record keeps only its first `keep` bytes, the rest of
    /// the segment is as preallocated (zeros).
    @Test func tornTailCutAtEveryByteRecoversThePreviousRecords() async throws {
        let (directory, records, lastOffset) = try await writtenJournal(count: 5, size: 120)
        let path = segmentPath(directory)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let lastSize = RecordHeader.encodedSize + 120
        for keep in 0..<lastSize {
            var torn = original
            torn.replaceSubrange((lastOffset + keep)..<(lastOffset + lastSize), with: [UInt8](repeating: 0, count: lastSize - keep))
            try torn.write(to: URL(fileURLWithPath: path))
            let journal = try Journal.open(journalConfiguration(directory))
            #expect(journal.lastPosition == records[3].position, "kept \(keep) bytes of the last record")
            #expect(try journal.records(from: JournalIndex(1), through: JournalIndex(4)) == Array(records[0..<4]))
            if keep > 0 { #expect(journal.recoveryReport.tornTail?.offset == lastOffset, "kept \(keep)") }
            // The journal continues where the cut left it.
            try await journal.append([record(5, size: 10)])
            #expect(try journal.records(from: JournalIndex(5), through: JournalIndex(5)) == [record(5, size: 10)])
            await journal.close()
        }
    }

    /// A bit flipped anywhere in any record is found: in the last batch it is a torn tail (cut,
    /// and only that batch is lost); before it, the brick refuses to start.
    @Test func aFlippedBitAnywhereIsDetected() async throws {
        let (directory, records, _) = try await writtenJournal(count: 6, batch: 1, size: 64, compressible: true)
        let path = segmentPath(directory)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let journalEnd = try Journal.open(journalConfiguration(directory)).locked { $0.segments.last!.endOffset }
        let lastStart = Int(try Journal.open(journalConfiguration(directory)).locked { $0.segments.last!.offsets.last! })
        for byte in 0..<journalEnd {
            for bit in [0, 3, 7] {
                var damaged = original
                damaged[byte] ^= UInt8(1 << bit)
                try damaged.write(to: URL(fileURLWithPath: path))
                do {
                    let journal = try Journal.open(journalConfiguration(directory))
                    // Only damage in the last record (its own batch) may be cut as a torn tail.
                    #expect(byte >= lastStart, "damage at byte \(byte) bit \(bit) was accepted")
                    #expect(journal.lastPosition == records[4].position)
                    await journal.close()
                } catch let error as JournalError {
                    guard case .corruption = error else { Issue.record("byte \(byte): \(error)"); continue }
                    #expect(byte < lastStart, "damage in the last record at byte \(byte) refused the start")
                }
                try original.write(to: URL(fileURLWithPath: path))
            }
        }
    }

    @Test func repairCutsCorruptionAndReportsTheLoss() async throws {
        let (directory, records, _) = try await writtenJournal(count: 10, batch: 1, size: 64)
        let path = segmentPath(directory)
        var damaged = try Data(contentsOf: URL(fileURLWithPath: path))
        let fourth = try Journal.open(journalConfiguration(directory)).locked { Int($0.segments[0].offsets[3]) }
        damaged[fourth + 70] ^= 0x10
        try damaged.write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.self) { try Journal.open(journalConfiguration(directory)) }
        var configuration = journalConfiguration(directory)
        configuration.repairCorruption = true
        let journal = try Journal.open(configuration)
        #expect(journal.lastPosition == records[2].position)
        #expect(journal.recoveryReport.lostAfter == JournalIndex(3))
        await journal.close()
    }

    /// The torn-write rule: a batch is written whole, then synced; damage followed only by
    /// records of the same batch is a torn tail, even if sectors landed out of order.
    @Test func damageInsideTheLastBatchIsATornTail() async throws {
        let (directory, records, _) = try await writtenJournal(count: 12, batch: 4, size: 100)
        let path = segmentPath(directory)
        var damaged = try Data(contentsOf: URL(fileURLWithPath: path))
        let ninth = try Journal.open(journalConfiguration(directory)).locked { Int($0.segments[0].offsets[8]) }
        // The 9th record (first of the last batch) is lost; the 10th–12th landed.
        damaged.replaceSubrange(ninth..<(ninth + 164), with: [UInt8](repeating: 0, count: 164))
        try damaged.write(to: URL(fileURLWithPath: path))
        let journal = try Journal.open(journalConfiguration(directory))
        #expect(journal.lastPosition == records[7].position)
        await journal.close()
        // Reopening finds nothing left of the cut batch.
        let again = try Journal.open(journalConfiguration(directory))
        #expect(again.recoveryReport.tornTail == nil)
        #expect(again.lastPosition == records[7].position)
        await again.close()
    }
}
