import JBRCore
import Testing
@testable import JBRMount

@Suite struct NodeTableTests {
    let file = GFID(high: 0xAB, low: 0xCD)
    let other = GFID(high: 0x12, low: 0x34)

    @Test func theRootIsNodeOneAndIsNeverForgotten() {
        var table = NodeTable()
        #expect(table.gfid(of: NodeTable.rootNode) == .root)
        table.forget(NodeTable.rootNode, count: 1_000)
        #expect(table.gfid(of: NodeTable.rootNode) == .root)
        #expect(table.remember(.root) == NodeTable.rootNode)
    }

    @Test func oneObjectKeepsOneNodeWhileTheKernelHoldsLookupsOnIt() {
        var table = NodeTable()
        let first = table.remember(file)
        // A hard link's second name, or a second lookup: the same node.
        #expect(table.remember(file) == first)
        #expect(table.remember(other) != first)
        table.forget(first, count: 1)
        #expect(table.gfid(of: first) == file)
        table.forget(first, count: 1)
        #expect(table.gfid(of: first) == nil)
        #expect(table.count == 2)
    }

    @Test func aForgottenObjectLookedUpAgainGetsANewNode() {
        var table = NodeTable()
        let first = table.remember(file)
        table.forget(first, count: 5)
        let second = table.remember(file)
        #expect(second != first)
        #expect(table.gfid(of: first) == nil)
        #expect(table.gfid(of: second) == file)
        // Forgetting a node never handed out, or twice, changes nothing.
        table.forget(first, count: 1)
        table.forget(999, count: 1)
        #expect(table.gfid(of: second) == file)
    }

    @Test func openFilesRememberAppendPerHandle() {
        var files = OpenFiles()
        let plain = files.open(.init(gfid: file, append: false))
        let appending = files.open(.init(gfid: file, append: true))
        #expect(plain != appending)
        #expect(files.handle(appending)?.append == true)
        files.close(plain)
        #expect(files.handle(plain) == nil)
        #expect(files.handle(appending)?.gfid == file)
    }

    @Test func inodeNumbersComeFromTheGFIDAndAreNeverZeroOrTheRoots() {
        let attributes = { (gfid: GFID) in
            FileAttributes(gfid: gfid, type: .regular, permissions: 0o644, linkCount: 1, owner: Owner(uid: 0, gid: 0), size: 0, blocks: 0,
                           accessTime: Timestamp(seconds: 0), modificationTime: Timestamp(seconds: 0), changeTime: Timestamp(seconds: 0))
        }
        #expect(attributes(.root).inodeNumber == 1)
        #expect(attributes(GFID(high: 7, low: 7)).inodeNumber > 1)
        #expect(attributes(GFID(high: 7, low: 6)).inodeNumber > 1)
        // The GFID's two halves folded: the same number on every mount.
        #expect(attributes(GFID(high: 0x10, low: 0x3)).inodeNumber == 0x13)
        #expect(attributes(file).inodeNumber != attributes(other).inodeNumber)
    }
}
