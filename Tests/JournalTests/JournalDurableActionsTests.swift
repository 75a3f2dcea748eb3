import Foundation
import JBRCore
import Synchronization
import Testing
import TestSupport
@testable import Journal

/// `whenDurable`: actions run once their record is durable, in the order given, and never
/// before; after a truncation they wait for what is still there; a failed write reaches them.
@Suite struct JournalDurableActionsTests {
    final class Log: Sendable {
        let entries = Mutex<[(label: Int, durable: JournalIndex, failed: Bool)]>([])
        func note(_ label: Int, durable: JournalIndex, failed: Bool) { entries.withLock { $0.append((label, durable, failed)) } }
        var labels: [Int] { entries.withLock { $0.map(\.label) } }
    }

    func waitFor(_ count: Int, in log: Log) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while log.labels.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
    }

    @Test func actionsRunInOrderOnlyOnceTheirRecordIsDurable() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        let log = Log()
        for index in 1...300 {
            try journal.append(journal.prepare(.operation, body: body(for: UInt64(index), size: 200)), at: LogPosition(term: Term(1), index: JournalIndex(UInt64(index))))
            journal.whenDurable(JournalIndex(UInt64(index))) { [journal] failure in
                log.note(index, durable: journal.durablePosition.index, failed: failure != nil)
            }
        }
        try await waitFor(300, in: log)
        let entries = log.entries.withLock { $0 }
        #expect(entries.map(\.label) == Array(1...300), "in the order given")
        for entry in entries {
            #expect(entry.durable >= JournalIndex(UInt64(entry.label)), "action \(entry.label) ran with durable \(entry.durable)")
            #expect(!entry.failed)
        }
        // Already durable: at once, on the caller's thread.
        journal.whenDurable(JournalIndex(1)) { failure in log.note(0, durable: .zero, failed: failure != nil) }
        #expect(log.labels.last == 0)
        await journal.close()
    }

    @Test func afterATruncationActionsWaitForTheNewLastRecord() async throws {
        let directory = TemporaryDirectory()
        let journal = try Journal.open(journalConfiguration(directory))
        try await journal.append((1...5).map { record(UInt64($0)) })
        try journal.append(journal.prepare(.operation, body: [6]), at: LogPosition(term: Term(1), index: JournalIndex(6)))
        let log = Log()
        journal.whenDurable(JournalIndex(6)) { failure in log.note(6, durable: .zero, failed: failure != nil) }
        try await journal.truncate(after: JournalIndex(3))
        try await waitFor(1, in: log)
        #expect(log.labels == [6], "record 6 is gone; the action ran once 3, the new last, was durable")
        await journal.close()
    }

    @Test(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
    func aFailedWriteReachesWaitingActions() async throws {
        let disk = try #require(SmallFileSystem(bytes: 2 << 20))
        var configuration = JournalConfiguration(directory: disk.path + "/journal", volumeID: testVolume)
        configuration.segmentBytes = 1 << 20
        configuration.preallocation = .none
        let journal = try Journal.open(configuration)
        let log = Log()
        var appended = 0
        for index in 1...400 {
            do {
                try journal.append(journal.prepare(.operation, body: body(for: UInt64(index), size: 16 << 10)), at: LogPosition(term: Term(1), index: JournalIndex(UInt64(index))))
            } catch {
                break
            }
            appended = index
            journal.whenDurable(JournalIndex(UInt64(index))) { failure in log.note(index, durable: .zero, failed: failure != nil) }
        }
        try await waitFor(appended, in: log)
        let entries = log.entries.withLock { $0 }
        #expect(entries.count == appended, "every action ran, one way or the other")
        #expect(entries.contains { $0.failed }, "2 MiB cannot hold 6 MB: some actions saw the failure")
        #expect(entries.map(\.label) == Array(1...appended))
        await journal.close()
    }
}
