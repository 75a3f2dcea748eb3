import Foundation
import JBRCore
import Synchronization
import Testing
import TestSupport
@testable import Journal

/// `append(…, wakeWriter: false)` then `writePending()` or `wakeWriter()`: the caller writes its
/// records itself, or hands them to the writer thread when it is ready; nothing is lost either
/// way, and the two writers never write at once.
@Suite(.timeLimit(.minutes(1)))
struct JournalCallerWriteTests {
    func position(_ index: Int) -> LogPosition { LogPosition(term: Term(1), index: JournalIndex(UInt64(index))) }

    @Test func writePendingMakesTheRecordsDurableBeforeItReturnsAndRunsTheirActionsHere() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        // A first record through the writer thread, which then goes idle (after the term
        // table it writes for a new term): writePending leaves records to a batch already being
        // written, so the thread must be done for this test to see the caller write them.
        try await journal.append([record(1)])
        while journal.locked({ $0.writerBusy }) { try await Task.sleep(for: .milliseconds(1)) }
        let ran = Mutex(0)
        for index in 2...20 {
            try journal.append(contentsOf: [(journal.prepare(.operation, body: body(for: UInt64(index), size: 300)), position(index))], wakeWriter: false)
            journal.whenDurable(JournalIndex(UInt64(index))) { _ in ran.withLock { $0 += 1 } }
        }
        let syncsBefore = journal.statistics.syncs
        journal.writePending()
        #expect(journal.durablePosition == position(20))
        #expect(ran.withLock { $0 } == 19, "every action ran before writePending returned")
        #expect(journal.statistics.syncs == syncsBefore + 1, "one batch, one sync")
        await journal.close()
        let reopened = try Journal.open(journalConfiguration(directory))
        #expect(reopened.lastPosition == position(20))
        #expect(try reopened.records(from: JournalIndex(2), through: JournalIndex(20)).map(\.body) == (2...20).map { body(for: UInt64($0), size: 300) })
        await reopened.close()
    }

    @Test func wakeWriterHandsThemToTheWriterThread() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        try journal.append(contentsOf: [(journal.prepare(.operation, body: [1, 2, 3]), position(1))], wakeWriter: false)
        journal.wakeWriter()
        try await journal.waitUntilDurable(JournalIndex(1))
        #expect(journal.durablePosition == position(1))
        await journal.close()
    }

    @Test func callersAndTheWriterThreadTakeTurnsAndLoseNothing() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        // Appenders wake the writer; one caller keeps writing what is pending itself.
        let total = 2_000
        // Stops once everything is durable, or when the test ends early.
        let done = Mutex(false)
        defer { done.withLock { $0 = true } }
        let caller = Thread {
            while !done.withLock({ $0 }) && journal.durablePosition.index < JournalIndex(UInt64(total)) {
                journal.writePending()
            }
        }
        caller.start()
        for index in 1...total {
            try journal.append(contentsOf: [(journal.prepare(.operation, body: body(for: UInt64(index), size: 64)), position(index))], wakeWriter: index % 2 == 0)
        }
        journal.wakeWriter()
        try await journal.waitUntilDurable(JournalIndex(UInt64(total)))
        await journal.close()
        let reopened = try Journal.open(journalConfiguration(directory))
        let records = try reopened.records(from: JournalIndex(1), through: JournalIndex(UInt64(total)))
        #expect(records.map(\.position) == (1...total).map(position))
        #expect(records.map(\.body) == (1...total).map { body(for: UInt64($0), size: 64) })
        await reopened.close()
    }
}
