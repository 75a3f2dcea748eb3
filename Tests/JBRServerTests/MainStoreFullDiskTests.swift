import Foundation
import JBRCore
import NIOCore
import Testing
import TestSupport
@testable import JBRServer

@Suite(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
struct MainStoreFullDiskTests {
    @Test func aFullDiskStopsWritesWithENOSPCAndTheStoreReplaysCleanlyOnceThereIsRoom() throws {
        let disk = try #require(SmallFileSystem(options: "size=2m"))
        let fixture = try MainStoreFixture(under: disk.path)
        try fixture.makeFile(testGFID(1), "big")
        try fixture.store.checkpoint(through: LogPosition(term: Term(1), index: JournalIndex(1)))
        let ballast = disk.fill(chunk: 256 << 10)
        var journal: [StoreLogEntry] = []
        var failure: StoreFailure?
        for chunk in 0..<64 {
            let logged = fixture.entry(.write(gfid: testGFID(1), offset: UInt64(chunk) << 16, data: ByteBuffer(repeating: UInt8(chunk), count: 1 << 16)))
            journal.append(logged)
            do {
                try fixture.apply(logged)
            } catch let error as StoreFailure {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the disk never filled")
        #expect(error.error.code == .ENOSPC && error.error.detail.contains("pwrite"), "\(error)")
        #expect(try fixture.store.check() == [])

        // Restart on the still-full disk: the mark is where it was, the replay stops at the same
        // entry with the same clear error and damages nothing.
        try fixture.reopen()
        #expect(fixture.store.appliedThrough == LogPosition(term: Term(1), index: JournalIndex(1)))
        for logged in journal.dropLast() { _ = try fixture.replay(logged) }
        #expect(throws: StoreFailure.self) { try fixture.replay(journal.last!) }
        // Once there is room, the same entry applies and the file holds every chunk.
        for file in ballast { try FileManager.default.removeItem(atPath: file) }
        #expect(try fixture.replay(journal.last!) != .alreadyApplied)
        let contents = try fixture.contents(testGFID(1))
        #expect(contents.count == journal.count << 16)
        #expect(contents.enumerated().allSatisfy { $0.element == UInt8($0.offset >> 16) })
        #expect(try fixture.store.check() == [])
    }

    @Test func runningOutOfInodesStopsCreatesWithoutLeavingHalfMadeObjects() throws {
        let disk = try #require(SmallFileSystem(options: "size=4m,nr_inodes=64"))
        let fixture = try MainStoreFixture(under: disk.path)
        var failure: StoreFailure?
        var made = 0
        for number in 1...64 {
            do {
                try fixture.apply(.mkdir(storeLocation(.root, "d\(number)"), gfid: testGFID(UInt64(number)), permissions: 0o755, owner: storeTestOwner))
                made = number
            } catch let error as StoreFailure {
                failure = error
                break
            }
        }
        #expect(failure?.error.code == .ENOSPC, "\(String(describing: failure))")
        #expect(made > 5)
        #expect(try fixture.store.check() == [], "no half-made object in the tree or staging")
        try fixture.reopen()
        #expect(try storeTree(fixture.store).count == made + 1)
    }

    @Test func aCheckpointOnAFullDiskFailsAndLeavesTheOldMark() throws {
        let disk = try #require(SmallFileSystem(options: "size=1m"))
        let fixture = try MainStoreFixture(under: disk.path)
        try fixture.makeFile(testGFID(1), "f")
        try fixture.store.checkpoint(through: LogPosition(term: Term(1), index: JournalIndex(1)))
        let ballast = disk.fill(chunk: 4096)
        #expect(!ballast.isEmpty)
        #expect(throws: StoreFailure.self) { try fixture.store.checkpoint(through: LogPosition(term: Term(1), index: JournalIndex(2))) }
        #expect(fixture.store.appliedThrough == LogPosition(term: Term(1), index: JournalIndex(1)))
        #expect(!FileManager.default.fileExists(atPath: fixture.brickPath + "/.jbr/store/applied-through.tmp"))
        try fixture.reopen()
        #expect(fixture.store.appliedThrough == LogPosition(term: Term(1), index: JournalIndex(1)))
    }
}
