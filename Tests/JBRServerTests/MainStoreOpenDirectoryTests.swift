import Foundation
import JBRCore
import Testing
@testable import JBRServer

/// The store keeps directories it resolved open (`OpenDirectories`): these check that a kept
/// descriptor never sends an operation to the wrong place or into a directory that is gone.
@Suite struct MainStoreOpenDirectoryTests {
    @Test func aDirectoryKeptOpenFollowsRenamesOfItselfAndItsAncestors() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(1), "top")
        try fixture.makeDirectory(testGFID(2), in: testGFID(1), "sub")
        try fixture.makeFile(testGFID(3), in: testGFID(2), "first")
        #expect(fixture.store.openDirectories.count >= 2, "resolving sub kept it and top open")

        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "top"), to: storeLocation(.root, "moved"), noReplace: false)) == .success(.done))
        try fixture.makeFile(testGFID(4), in: testGFID(2), "second")
        #expect(FileManager.default.fileExists(atPath: fixture.brickPath + "/moved/sub/second"))
        #expect(try fixture.apply(.rename(gfid: testGFID(2), from: storeLocation(testGFID(1), "sub"), to: storeLocation(.root, "sub"), noReplace: false)) == .success(.done))
        try fixture.makeFile(testGFID(5), in: testGFID(2), "third")
        #expect(FileManager.default.fileExists(atPath: fixture.brickPath + "/sub/third"))
        #expect(try fixture.lookup(testGFID(2), "first").attributes?.gfid == testGFID(3))
        #expect(try fixture.store.check() == [])
    }

    @Test func aRemovedDirectoryIsStaleEvenIfItWasKeptOpen() throws {
        let fixture = try MainStoreFixture()
        // Removed by rmdir.
        try fixture.makeDirectory(testGFID(1), "removed")
        try fixture.makeFile(testGFID(2), in: testGFID(1), "file")
        #expect(try fixture.apply(.unlink(storeLocation(testGFID(1), "file"), gfid: testGFID(2))) == .success(.done))
        #expect(try fixture.apply(.rmdir(storeLocation(.root, "removed"), gfid: testGFID(1))) == .success(.done))
        #expect(try fixture.stat(testGFID(1)).failureCode == .ESTALE)
        #expect(try fixture.apply(.create(storeLocation(testGFID(1), "late"), gfid: testGFID(3), permissions: 0o644, owner: storeTestOwner, exclusive: true)).failureCode == .ESTALE)

        // Replaced by renaming another directory over it.
        try fixture.makeDirectory(testGFID(4), "replaced")
        try fixture.makeDirectory(testGFID(5), "replacer")
        try fixture.makeFile(testGFID(6), in: testGFID(4), "gone")
        #expect(try fixture.apply(.unlink(storeLocation(testGFID(4), "gone"), gfid: testGFID(6))) == .success(.done))
        #expect(try fixture.apply(.rename(gfid: testGFID(5), from: storeLocation(.root, "replacer"), to: storeLocation(.root, "replaced"), noReplace: false)) == .success(.done))
        #expect(try fixture.stat(testGFID(4)).failureCode == .ESTALE)
        #expect(try fixture.apply(.mkdir(storeLocation(testGFID(4), "late"), gfid: testGFID(7), permissions: 0o755, owner: storeTestOwner)).failureCode == .ESTALE)
        #expect(try fixture.lookup(testGFID(5), "gone").failureCode == .ENOENT, "the replacer is reached, not the replaced")
        #expect(try fixture.store.check() == [])
        #expect(try storeTree(fixture.store).keys.sorted() == ["/", "/replaced"])
    }

    @Test func aDirectoryRemovedBehindTheStoresBackIsNotServedFromItsOpenDescriptor() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(1), "doomed")
        #expect(try fixture.stat(testGFID(1)).attributes?.type == .directory)
        // Someone removes it on the brick itself: the kept descriptor now holds a dead
        // directory, which must not answer for the GFID.
        #expect(rmdir(fixture.brickPath + "/doomed") == 0)
        #expect(try fixture.stat(testGFID(1)).failureCode == .ESTALE)
        #expect(try fixture.apply(.create(storeLocation(testGFID(1), "x"), gfid: testGFID(2), permissions: 0o644, owner: storeTestOwner, exclusive: true)).failureCode == .ESTALE)
    }

    @Test func atMostTheLimitAreKeptAndEveryDirectoryStaysReachable() throws {
        let fixture = try MainStoreFixture()
        let count = OpenDirectories.limit + 40
        for number in 1...UInt64(count) {
            try fixture.makeDirectory(testGFID(number), "d\(number)")
            try fixture.makeFile(testGFID(10_000 + number), in: testGFID(number), "f")
        }
        #expect(fixture.store.openDirectories.count <= OpenDirectories.limit)
        for number in 1...UInt64(count) {
            #expect(try fixture.lookup(testGFID(number), "f").attributes?.gfid == testGFID(10_000 + number))
        }
        #expect(fixture.store.openDirectories.count <= OpenDirectories.limit)
    }

    @Test func aResyncForgetsEveryDirectoryItEmptied() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(1), "before")
        try fixture.makeFile(testGFID(2), in: testGFID(1), "file")
        try fixture.store.emptyForResync()
        #expect(fixture.store.openDirectories.count == 0)
        #expect(try fixture.stat(testGFID(1)).failureCode == .ESTALE)
    }
}
