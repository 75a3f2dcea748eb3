import Foundation
import JBRCore
import Testing
import TestSupport
@testable import Journal

@Suite(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
struct JournalFullDiskTests {
    @Test func aFullDiskFailsWritesClearlyAndLosesNothingAcknowledged() async throws {
        let disk = try #require(SmallFileSystem(bytes: 3 << 20))
        var configuration = JournalConfiguration(directory: disk.path + "/journal", volumeID: testVolume)
        configuration.segmentBytes = 1 << 20
        configuration.preallocation = .none
        let journal = try Journal.open(configuration)
        var acknowledged: [JournalRecord] = []
        var failure: JournalError?
        for index in 1...1000 {
            let next = record(UInt64(index), size: 16 << 10)
            do {
                try await journal.append([next])
                acknowledged.append(next)
            } catch let error as JournalError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "3 MiB took 16 MB of records")
        #expect(error.asOperationError.code == .ENOSPC, "\(error)")
        // The journal stays failed: later appends get the same clear error.
        #expect(throws: JournalError.self) { try journal.append(journal.prepare(.operation, body: [1]), at: LogPosition(term: Term(1), index: JournalIndex(5000))) }
        await journal.close()

        // Reopened on the still-full disk, every acknowledged record is there.
        let reopened = try Journal.open(configuration)
        #expect(reopened.lastPosition.index >= acknowledged.last!.position.index)
        #expect(try reopened.records(from: JournalIndex(1), through: acknowledged.last!.position.index) == acknowledged)
        await reopened.close()
    }
}
