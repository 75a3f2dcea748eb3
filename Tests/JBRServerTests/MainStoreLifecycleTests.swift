import Foundation
import JBRCore
import Testing
@testable import JBRServer

/// Creating, opening and checkpointing a store: the applied-through mark survives a reopen,
/// a damaged store is refused, and a creation cut short can be run again.
@Suite struct MainStoreLifecycleTests {
    @Test func aNewStoreIsEmptyAtPositionZeroAndUsesTrustedXattrsAsRoot() throws {
        let fixture = try MainStoreFixture()
        #expect(fixture.store.appliedThrough == .zero)
        #expect(fixture.store.identityNamespace == (getuid() == 0 ? .trusted : .user))
        let format = try String(contentsOfFile: fixture.brickPath + "/.jbr/store/format", encoding: .utf8)
        #expect(format == "jbr main store\nversion 1\ngfid-xattr \(fixture.store.identityNamespace.rawValue)\n")
        #expect(try storeTree(fixture.store).keys.sorted() == ["/"])
        #expect(try fixture.store.check() == [])
    }

    @Test func reopeningKeepsTheAppliedThroughMarkAndTheTree() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(1), "d")
        try fixture.makeFile(testGFID(2), in: testGFID(1), "f")
        let position = LogPosition(term: Term(3), index: JournalIndex(17))
        try fixture.store.checkpoint(through: position)
        let tree = try storeTree(fixture.store)
        try fixture.reopen()
        #expect(fixture.store.appliedThrough == position)
        #expect(try storeTree(fixture.store) == tree)
        try fixture.store.checkpoint(through: LogPosition(term: Term(4), index: JournalIndex(18)))
        try fixture.reopen()
        #expect(fixture.store.appliedThrough == LogPosition(term: Term(4), index: JournalIndex(18)))
    }

    @Test func aDamagedOrMissingStoreIsRefusedWhenOpened() throws {
        let fixture = try MainStoreFixture()
        let markPath = fixture.brickPath + "/.jbr/store/applied-through"
        var mark = try Data(contentsOf: URL(fileURLWithPath: markPath))
        mark[10] ^= 0xFF
        try mark.write(to: URL(fileURLWithPath: markPath))
        #expect(throws: StoreFailure.self) { try MainStore.open(brick: fixture.brickPath) }
        do {
            _ = try MainStore.open(brick: fixture.brickPath)
        } catch {
            #expect(error.error.code == .EIO && error.error.detail.contains("checksum"))
        }
        let empty = try MainStoreFixture.makeTemporaryDirectory(under: NSTemporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: StoreFailure.self) { try MainStore.open(brick: empty) }
        #expect(throws: StoreFailure.self) { try MainStore.create(brick: fixture.brickPath) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: empty + "/user-file"))
        #expect(throws: StoreFailure.self) { try MainStore.create(brick: empty) }
    }

    @Test func aCreationCutShortRunsAgainAndAJournalAlreadyThereIsLeftAlone() throws {
        let brick = try MainStoreFixture.makeTemporaryDirectory(under: NSTemporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: brick) }
        try FileManager.default.createDirectory(atPath: brick + "/.jbr/journal", withIntermediateDirectories: true)
        try Data("segment".utf8).write(to: URL(fileURLWithPath: brick + "/.jbr/journal/segment"))
        _ = try MainStore.create(brick: brick, namespace: .user)
        // As if the creation had stopped before its last step, the format file.
        try FileManager.default.removeItem(atPath: brick + "/.jbr/store/format")
        #expect(throws: StoreFailure.self) { try MainStore.open(brick: brick) }
        let store = try MainStore.create(brick: brick, namespace: .user)
        #expect(store.identityNamespace == .user && store.appliedThrough == .zero)
        #expect(try Data(contentsOf: URL(fileURLWithPath: brick + "/.jbr/journal/segment")) == Data("segment".utf8))
    }

    @Test func aBrickEmptiedByHandForANewStoreForgetsTheOldStoresStampOnItsRoot() throws {
        let fixture = try MainStoreFixture()
        for number in 1...5 { try fixture.makeFile(testGFID(UInt64(number)), "old-\(number)") }
        // What an operator does to reuse the directory: everything inside goes, the directory's
        // own xattrs stay (the root's stamp now says index 5).
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.brickPath) {
            try FileManager.default.removeItem(atPath: fixture.brickPath + "/" + name)
        }
        let store = try MainStore.create(brick: fixture.brickPath, namespace: fixture.store.identityNamespace)
        let made = try store.apply(
            OperationEntry(request: RequestID(client: ClientID(bytes: Array(repeating: 1, count: 16)), sequence: 1), sequencedAt: MainStoreFixture.time(1),
                           operation: .mkdir(storeLocation(.root, "new"), gfid: testGFID(9), permissions: 0o755, owner: Owner(uid: 0, gid: 0))),
            at: LogPosition(term: Term(1), index: JournalIndex(1)))
        guard case .applied(.success(.attributes)) = made else {
            Issue.record("the first operation of the new store was not applied: \(made)")
            return
        }
        #expect(try storeTree(store).keys.sorted() == ["/", "/new"])
    }

    @Test func theMarkIsWrittenAfterTheTreeIsDurableAndReplaysStartAfterIt() throws {
        let fixture = try MainStoreFixture()
        var journal: [StoreLogEntry] = []
        for number in 1...6 {
            journal.append(fixture.entry(.create(storeLocation(.root, "f\(number)"), gfid: testGFID(UInt64(number)), permissions: 0o600, owner: storeTestOwner, exclusive: true)))
        }
        for logged in journal.prefix(4) { try fixture.apply(logged) }
        try fixture.store.checkpoint(through: journal[3].position)
        for logged in journal.suffix(2) { try fixture.apply(logged) }
        // Restart: replay from the mark finds the last two applied; nothing before it is replayed.
        try fixture.reopen()
        #expect(fixture.store.appliedThrough == journal[3].position)
        for logged in journal where logged.position > fixture.store.appliedThrough {
            #expect(try fixture.replay(logged) == .alreadyApplied)
        }
        #expect(try storeTree(fixture.store).count == 7)
    }
}
