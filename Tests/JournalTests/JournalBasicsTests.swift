import JBRCore
import Testing
@testable import Journal

@Suite struct JournalBasicsTests {
    @Test func appendedRecordsReadBackAfterReopen() async throws {
        let directory = TemporaryDirectory()
        let records = (1...300).map { record(UInt64($0), term: $0 <= 100 ? 1 : 3, size: $0 % 7 == 0 ? 5000 : 100) }
        let journal = try Journal.open(journalConfiguration(directory, segmentBytes: 64 << 10))
        try await journal.append(records)
        #expect(journal.durablePosition == records.last!.position)
        #expect(try journal.records(from: JournalIndex(1), through: JournalIndex(300)) == records)
        await journal.close()

        let reopened = try Journal.open(journalConfiguration(directory, segmentBytes: 64 << 10))
        #expect(reopened.recoveryReport.records == 300)
        #expect(reopened.recoveryReport.tornTail == nil)
        #expect(reopened.lastPosition == records.last!.position)
        #expect(try reopened.records(from: JournalIndex(95), through: JournalIndex(105)) == Array(records[94...104]))
        #expect(reopened.termTable.ranges(lastIndex: JournalIndex(300)).map(\.term) == [Term(1), Term(3)])
        #expect(reopened.termTable.term(of: JournalIndex(101)) == Term(3))
        #expect(reopened.recoveryReport.segments > 3, "64 KiB segments rotate")
        await reopened.close()
    }

    @Test func concurrentAppendersShareSyncs() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        let order = IndexSequencer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    for _ in 0..<50 {
                        let index = try order.appendNext(to: journal) { index in journal.prepare(.operation, body: body(for: index, size: 200)) }
                        try await journal.waitUntilDurable(JournalIndex(index))
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try journal.records(from: JournalIndex(1), through: JournalIndex(1600))
        #expect(all.count == 1600)
        #expect(all.enumerated().allSatisfy { $1.position.index.rawValue == UInt64($0 + 1) && $1.body == body(for: UInt64($0 + 1), size: 200) })
        #expect(journal.statistics.syncs < 1600, "group commit shares fdatasyncs: \(journal.statistics.syncs) for 1600 records")
        await journal.close()
    }
}

/// Hands out indexes and appends under one lock, as the replica core's single owner would.
final class IndexSequencer: @unchecked Sendable {
    private let lock = NSLock()
    private var next: UInt64 = 1

    func appendNext(to journal: Journal, term: UInt64 = 1, _ make: (UInt64) -> PreparedBody) throws -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        let index = next
        try journal.append(make(index), at: LogPosition(term: Term(term), index: JournalIndex(index)))
        next += 1
        return index
    }
}

import Foundation

/// `recordDigests` reads positions and body checksums from the headers alone.
@Suite struct JournalRecordDigestTests {
    @Test func digestsMatchTheRecordHeadersAcrossSegments() async throws {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let configuration = journalConfiguration(directory, segmentBytes: 64 << 10)
        let journal = try Journal.open(configuration)
        try await journal.append((1...200).map { record(UInt64($0), term: $0 <= 120 ? 1 : 2, size: 1000) })
        let digests = try journal.recordDigests(from: JournalIndex(5), through: JournalIndex(300))
        #expect(digests.map(\.position.index) == (5...200).map { JournalIndex(UInt64($0)) }, "clipped to the durable end")
        #expect(digests.first { $0.position.index == JournalIndex(121) }?.position.term == Term(2))
        var headers: [JournalIndex: UInt32] = [:]
        try JournalInspector.inspect(directory: configuration.directory) { item in
            if case let .record(_, _, header, _) = item { headers[header.position.index] = header.bodyChecksum }
        }
        for digest in digests { #expect(headers[digest.position.index] == digest.bodyChecksum) }
        #expect(throws: JournalError.self) { try journal.recordDigests(from: JournalIndex(201), through: JournalIndex(300)) }
        await journal.close()
    }
}
