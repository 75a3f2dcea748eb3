import Foundation
import JBRCore
import Testing
@testable import JBRServer

/// The operation matrix for names: create, mkdir, mknod, symlink, link, unlink, rmdir, rename,
/// with the index kept right and the errno a POSIX user expects.
@Suite struct MainStoreEntryTests {
    @Test func createMakesAFileWithItsGFIDOwnerPermissionsAndTimes() throws {
        let fixture = try MainStoreFixture()
        let file = testGFID(1)
        let created = try fixture.attributes(.create(storeLocation(.root, "f"), gfid: file, permissions: 0o4751, owner: storeTestOwner, exclusive: true))
        let time = MainStoreFixture.time(1)
        #expect(created.gfid == file && created.type == .regular && created.permissions == 0o4751)
        #expect(created.owner == storeTestOwner && created.linkCount == 1 && created.size == 0)
        #expect(created.modificationTime == time && created.accessTime == time)
        #expect(try fixture.lookup(.root, "f").attributes == created)
        #expect(try fixture.stat(.root).attributes?.modificationTime == time)
        // The handle is a hard link to the file; the xattr holds the GFID.
        let onDisk = try FileManager.default.attributesOfItem(atPath: fixture.brickPath + "/f")
        let handle = try FileManager.default.attributesOfItem(atPath: fixture.handlePath(file))
        #expect(onDisk[.systemFileNumber] as? Int == handle[.systemFileNumber] as? Int)
        #expect(onDisk[.referenceCount] as? Int == 2)
    }

    @Test func mkdirMknodAndSymlinkMakeTheirKindsAndIndexThem() throws {
        let fixture = try MainStoreFixture()
        let directory = try fixture.attributes(.mkdir(storeLocation(.root, "d"), gfid: testGFID(1), permissions: 0o2750, owner: storeTestOwner))
        #expect(directory.type == .directory && directory.permissions == 0o2750 && directory.linkCount == 2)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: fixture.handlePath(testGFID(1)))
        #expect(target == "../../00/00/\(GFID.root)/d")
        let fifo = try fixture.attributes(.mknod(storeLocation(testGFID(1), "p"), gfid: testGFID(2), type: .fifo, permissions: 0o640, owner: storeTestOwner))
        let socket = try fixture.attributes(.mknod(storeLocation(testGFID(1), "s"), gfid: testGFID(3), type: .socket, permissions: 0o600, owner: storeTestOwner))
        #expect(fifo.type == .fifo && fifo.permissions == 0o640 && socket.type == .socket)
        let link = try fixture.attributes(.symlink(storeLocation(testGFID(1), "l"), gfid: testGFID(4), target: try SymlinkTarget("/etc/passwd"), owner: storeTestOwner))
        #expect(link.type == .symlink && link.owner == storeTestOwner && link.size == 11)
        #expect(try fixture.read(.readlink(gfid: testGFID(4))) == .success(.linkTarget(try SymlinkTarget("/etc/passwd"))))
        #expect(try fixture.stat(testGFID(1)).attributes?.linkCount == 2)
        #expect(try fixture.store.check() == [])
    }

    @Test func createRefusesWhatPOSIXRefuses() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeFile(testGFID(1), "f")
        try fixture.makeDirectory(testGFID(2), "d")
        let owner = storeTestOwner
        // Exclusive create of an existing name; non-exclusive create answers with the existing file.
        #expect(try fixture.apply(.create(storeLocation(.root, "f"), gfid: testGFID(3), permissions: 0o644, owner: owner, exclusive: true)).failureCode == .EEXIST)
        #expect(try fixture.apply(.create(storeLocation(.root, "f"), gfid: testGFID(3), permissions: 0o644, owner: owner, exclusive: false)).attributes?.gfid == testGFID(1))
        #expect(try fixture.apply(.create(storeLocation(.root, "d"), gfid: testGFID(3), permissions: 0o644, owner: owner, exclusive: false)).failureCode == .EISDIR)
        #expect(try fixture.apply(.mkdir(storeLocation(.root, "f"), gfid: testGFID(3), permissions: 0o755, owner: owner)).failureCode == .EEXIST)
        // A parent that is a file, or that does not exist.
        #expect(try fixture.apply(.mkdir(storeLocation(testGFID(1), "x"), gfid: testGFID(3), permissions: 0o755, owner: owner)).failureCode == .ENOTDIR)
        #expect(try fixture.apply(.mkdir(storeLocation(testGFID(9), "x"), gfid: testGFID(3), permissions: 0o755, owner: owner)).failureCode == .ESTALE)
        // GFIDs that cannot name a new object, or already name one elsewhere.
        #expect(try fixture.apply(.mkdir(storeLocation(.root, "x"), gfid: .root, permissions: 0o755, owner: owner)).failureCode == .EINVAL)
        #expect(try fixture.apply(.mkdir(storeLocation(.root, "x"), gfid: .null, permissions: 0o755, owner: owner)).failureCode == .EINVAL)
        #expect(try fixture.apply(.mkdir(storeLocation(.root, "x"), gfid: testGFID(1), permissions: 0o755, owner: owner)).failureCode == .EEXIST)
        #expect(try fixture.lookup(.root, "x").failureCode == .ENOENT)
    }

    @Test func repeatedEntryOperationsSucceedWithoutChangingTheTree() throws {
        let fixture = try MainStoreFixture()
        let create = FileOperation.create(storeLocation(.root, "f"), gfid: testGFID(1), permissions: 0o600, owner: storeTestOwner, exclusive: true)
        let first = try fixture.attributes(create)
        let logged = fixture.entry(create)
        #expect(try fixture.apply(logged).attributes?.gfid == first.gfid)
        // The very same journal entry again is found applied.
        #expect(try fixture.replay(logged) == .alreadyApplied)
        let link = FileOperation.link(gfid: testGFID(1), to: storeLocation(.root, "g"))
        #expect(try fixture.attributes(link).linkCount == 2)
        #expect(try fixture.attributes(link).linkCount == 2)
        let rename = FileOperation.rename(gfid: testGFID(1), from: storeLocation(.root, "g"), to: storeLocation(.root, "h"), noReplace: true)
        #expect(try fixture.apply(rename) == .success(.done))
        #expect(try fixture.apply(rename) == .success(.done))
        let unlink = FileOperation.unlink(storeLocation(.root, "h"), gfid: testGFID(1))
        #expect(try fixture.apply(unlink) == .success(.done))
        #expect(try fixture.apply(unlink) == .success(.done))
        #expect(try fixture.stat(testGFID(1)).attributes?.linkCount == 1)
        #expect(try fixture.store.check() == [])
    }

    @Test func hardLinksShareOneGFIDAndTheHandleGoesWithTheLastName() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(9), "d")
        try fixture.makeFile(testGFID(1), "f")
        try fixture.apply(.write(gfid: testGFID(1), offset: 0, data: .init(string: "shared")))
        #expect(try fixture.attributes(.link(gfid: testGFID(1), to: storeLocation(testGFID(9), "g"))).linkCount == 2)
        #expect(try fixture.lookup(testGFID(9), "g").attributes?.gfid == testGFID(1))
        #expect(try fixture.apply(.link(gfid: testGFID(9), to: storeLocation(.root, "x"))).failureCode == .EPERM)
        #expect(try fixture.apply(.link(gfid: testGFID(1), to: storeLocation(.root, "d"))).failureCode == .EEXIST)
        #expect(try fixture.apply(.link(gfid: testGFID(5), to: storeLocation(.root, "x"))).failureCode == .ESTALE)
        try fixture.apply(.unlink(storeLocation(.root, "f"), gfid: testGFID(1)))
        #expect(try fixture.contents(testGFID(1)) == Array("shared".utf8))
        #expect(FileManager.default.fileExists(atPath: fixture.handlePath(testGFID(1))))
        try fixture.apply(.unlink(storeLocation(testGFID(9), "g"), gfid: testGFID(1)))
        #expect(!FileManager.default.fileExists(atPath: fixture.handlePath(testGFID(1))))
        #expect(try fixture.stat(testGFID(1)).failureCode == .ESTALE)
        #expect(try fixture.store.check() == [])
    }

    @Test func unlinkAndRmdirRefuseTheWrongObjectOrKind() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeFile(testGFID(1), "f")
        try fixture.makeDirectory(testGFID(2), "d")
        try fixture.makeFile(testGFID(3), in: testGFID(2), "inner")
        #expect(try fixture.apply(.unlink(storeLocation(.root, "f"), gfid: testGFID(7))).failureCode == .ESTALE)
        #expect(try fixture.apply(.unlink(storeLocation(.root, "d"), gfid: testGFID(2))).failureCode == .EISDIR)
        #expect(try fixture.apply(.rmdir(storeLocation(.root, "f"), gfid: testGFID(1))).failureCode == .ENOTDIR)
        #expect(try fixture.apply(.rmdir(storeLocation(.root, "d"), gfid: testGFID(2))).failureCode == .ENOTEMPTY)
        #expect(try fixture.lookup(.root, "f").attributes?.gfid == testGFID(1))
        try fixture.apply(.unlink(storeLocation(testGFID(2), "inner"), gfid: testGFID(3)))
        #expect(try fixture.apply(.rmdir(storeLocation(.root, "d"), gfid: testGFID(2))) == .success(.done))
        #expect(!FileManager.default.fileExists(atPath: fixture.handlePath(testGFID(2))))
        #expect(try fixture.stat(testGFID(2)).failureCode == .ESTALE)
        #expect(try fixture.store.check() == [])
    }

    @Test func renameMovesFilesAndReplacesWhatPOSIXLetsItReplace() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(10), "a")
        try fixture.makeDirectory(testGFID(11), "b")
        try fixture.makeFile(testGFID(1), in: testGFID(10), "f")
        try fixture.makeFile(testGFID(2), in: testGFID(11), "g")
        try fixture.apply(.link(gfid: testGFID(2), to: storeLocation(.root, "g2")))
        try fixture.makeFile(testGFID(3), "lonely")
        // Over a file with another name: that file keeps its handle.
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(testGFID(10), "f"), to: storeLocation(testGFID(11), "g"), noReplace: false)) == .success(.done))
        #expect(try fixture.lookup(testGFID(11), "g").attributes?.gfid == testGFID(1))
        #expect(try fixture.stat(testGFID(2)).attributes?.linkCount == 1)
        // Over a file's last name: its handle goes.
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(testGFID(11), "g"), to: storeLocation(.root, "lonely"), noReplace: false)) == .success(.done))
        #expect(try fixture.stat(testGFID(3)).failureCode == .ESTALE)
        #expect(!FileManager.default.fileExists(atPath: fixture.handlePath(testGFID(3))))
        // RENAME_NOREPLACE, a missing source, a source holding something else.
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "lonely"), to: storeLocation(.root, "g2"), noReplace: true)).failureCode == .EEXIST)
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "nothing"), to: storeLocation(.root, "x"), noReplace: false)).failureCode == .ENOENT)
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "g2"), to: storeLocation(.root, "x"), noReplace: false)).failureCode == .ESTALE)
        // A file over a directory, a directory over a file.
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "lonely"), to: storeLocation(.root, "a"), noReplace: false)).failureCode == .EISDIR)
        #expect(try fixture.apply(.rename(gfid: testGFID(10), from: storeLocation(.root, "a"), to: storeLocation(.root, "lonely"), noReplace: false)).failureCode == .ENOTDIR)
        #expect(try fixture.store.check() == [])
    }

    @Test func renamingADirectoryMovesItsHandleAndKeepsDescendantsReachable() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(1), "top")
        try fixture.makeDirectory(testGFID(2), in: testGFID(1), "middle")
        try fixture.makeDirectory(testGFID(3), in: testGFID(2), "bottom")
        try fixture.makeDirectory(testGFID(4), "empty")
        try fixture.makeDirectory(testGFID(5), "full")
        try fixture.makeFile(testGFID(6), in: testGFID(5), "x")
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "top"), to: storeLocation(.root, "moved"), noReplace: false)) == .success(.done))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.handlePath(testGFID(1))) == "../../00/00/\(GFID.root)/moved")
        // Only the renamed directory's handle changed; a grandchild is still found through it.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.handlePath(testGFID(2))) == "../../12/34/\(testGFID(1))/middle")
        try fixture.makeFile(testGFID(7), in: testGFID(3), "deep")
        #expect(FileManager.default.fileExists(atPath: fixture.brickPath + "/moved/middle/bottom/deep"))
        // Into its own subtree: EINVAL. Over a non-empty directory: ENOTEMPTY. Over an empty one: replaced.
        #expect(try fixture.apply(.rename(gfid: testGFID(1), from: storeLocation(.root, "moved"), to: storeLocation(testGFID(3), "loop"), noReplace: false)).failureCode == .EINVAL)
        #expect(try fixture.apply(.rename(gfid: testGFID(2), from: storeLocation(testGFID(1), "middle"), to: storeLocation(.root, "full"), noReplace: false)).failureCode == .ENOTEMPTY)
        #expect(try fixture.apply(.rename(gfid: testGFID(2), from: storeLocation(testGFID(1), "middle"), to: storeLocation(.root, "empty"), noReplace: false)) == .success(.done))
        #expect(try fixture.stat(testGFID(4)).failureCode == .ESTALE)
        #expect(!FileManager.default.fileExists(atPath: fixture.handlePath(testGFID(4))))
        #expect(try fixture.lookup(testGFID(3), "deep").attributes?.gfid == testGFID(7))
        #expect(try fixture.stat(.root).attributes?.modificationTime == MainStoreFixture.time(11), "the last rename touched the root")
        #expect(try fixture.store.check() == [])
    }
}
