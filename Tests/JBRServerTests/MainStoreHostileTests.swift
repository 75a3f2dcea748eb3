import Foundation
import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// Inputs meant to escape the brick or reach `.jbr/` are refused and change nothing outside
/// the brick (architecture rule 5). `outside/` next to the brick is the sentinel.
@Suite struct MainStoreHostileTests {
    let fixture: MainStoreFixture
    let sentinel: [String: [UInt8]]
    let sentinelAttributes: [FileAttributeKey: Any]

    init() throws {
        fixture = try MainStoreFixture()
        sentinel = fixture.outsideContents()
        sentinelAttributes = try FileManager.default.attributesOfItem(atPath: fixture.outsidePath + "/keep")
    }

    /// Nothing under the sentinel directory changed: names, contents, owner, mode.
    func expectOutsideUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(fixture.outsideContents() == sentinel, sourceLocation: sourceLocation)
        let now = try FileManager.default.attributesOfItem(atPath: fixture.outsidePath + "/keep")
        for key in [FileAttributeKey.ownerAccountID, .groupOwnerAccountID, .posixPermissions, .size] {
            #expect("\(now[key] ?? "none")" == "\(sentinelAttributes[key] ?? "none")", "\(key)", sourceLocation: sourceLocation)
        }
    }

    @Test func namesThatCouldEscapeNeverGetPastTheCodec() throws {
        #expect(throws: JBRError(.ENAMETOOLONG, "name of 4096 bytes (at most 255)")) { try FileName(validating: [UInt8](repeating: 0x61, count: 4096)) }
        for bad in ["..", ".", "a/b", "/", "a\0b", ""] {
            #expect(throws: JBRError.self, "\(bad)") { try FileName(bad) }
        }
        // On the wire: a mkdir whose two-byte name is replaced by "..", "a/" or "a\0".
        let operation = FileOperation.mkdir(storeLocation(.root, "xy"), gfid: testGFID(1), permissions: 0o755, owner: storeTestOwner)
        var encoded = ByteBuffer()
        operation.encode(to: &encoded)
        let bytes = Array(encoded.readableBytesView)
        let at = try #require(bytes.indices.first { bytes[$0] == 0x78 && bytes[$0 + 1] == 0x79 })
        for replacement in [[0x2E, 0x2E], [0x61, 0x2F], [0x61, 0x00]] as [[UInt8]] {
            var patched = bytes
            patched.replaceSubrange(at..<(at + 2), with: replacement)
            var buffer = ByteBuffer(bytes: patched)
            #expect(throws: DecodingError.self) { try FileOperation(from: &buffer) }
        }
    }

    @Test func jbrAtTheRootCannotBeNamedByAnyOperation() throws {
        try fixture.makeFile(testGFID(1), "f")
        try fixture.makeDirectory(testGFID(2), "d")
        let jbr = storeLocation(.root, ".jbr")
        let before = try FileManager.default.contentsOfDirectory(atPath: fixture.brickPath + "/.jbr").sorted()
        let owner = storeTestOwner
        let refused: [FileOperation] = [
            .create(jbr, gfid: testGFID(3), permissions: 0o644, owner: owner, exclusive: false),
            .mkdir(jbr, gfid: testGFID(3), permissions: 0o755, owner: owner),
            .mknod(jbr, gfid: testGFID(3), type: .fifo, permissions: 0o644, owner: owner),
            .symlink(jbr, gfid: testGFID(3), target: try SymlinkTarget("/"), owner: owner),
            .link(gfid: testGFID(1), to: jbr),
            .unlink(jbr, gfid: testGFID(1)),
            .rmdir(jbr, gfid: testGFID(2)),
            .rename(gfid: testGFID(2), from: storeLocation(.root, "d"), to: jbr, noReplace: false),
            .rename(gfid: testGFID(2), from: jbr, to: storeLocation(.root, "x"), noReplace: false),
        ]
        for operation in refused {
            #expect(try fixture.apply(operation).failureCode == .EPERM, "\(operation.name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.brickPath + "/.jbr").sorted() == before)
        #expect(try fixture.lookup(.root, ".jbr").failureCode == .ENOENT)
        // A directory called .jbr anywhere else is an ordinary directory.
        #expect(try fixture.apply(.mkdir(storeLocation(testGFID(2), ".jbr"), gfid: testGFID(4), permissions: 0o755, owner: owner)).failureCode == nil)
    }

    @Test func aSymlinkOutOfTheBrickIsStoredButNeverFollowed() throws {
        for (number, target) in [(1, "../outside"), (2, "/"), (3, fixture.outsidePath + "/keep")] {
            let link = testGFID(UInt64(number))
            try fixture.apply(.symlink(storeLocation(.root, "escape-\(number)"), gfid: link, target: try SymlinkTarget(target), owner: storeTestOwner))
            let owner = storeTestOwner
            let asParent: [FileOperation] = [
                .create(storeLocation(link, "keep"), gfid: testGFID(10), permissions: 0o644, owner: owner, exclusive: false),
                .mkdir(storeLocation(link, "new"), gfid: testGFID(10), permissions: 0o755, owner: owner),
                .symlink(storeLocation(link, "new"), gfid: testGFID(10), target: try SymlinkTarget("x"), owner: owner),
                .unlink(storeLocation(link, "keep"), gfid: testGFID(10)),
                .rename(gfid: link, from: storeLocation(.root, "escape-\(number)"), to: storeLocation(link, "loop"), noReplace: false),
            ]
            for operation in asParent {
                #expect(try fixture.apply(operation).failureCode == .ENOTDIR, "\(target): \(operation.name)")
            }
            #expect(try fixture.read(.readdir(gfid: link, cookie: 0, maxEntries: 10)).failureCode == .ENOTDIR)
            #expect(try fixture.apply(.write(gfid: link, offset: 0, data: ByteBuffer(string: "x"))).failureCode == .EINVAL)
            #expect(try fixture.apply(.truncate(gfid: link, size: 0)).failureCode == .EINVAL)
            #expect(try fixture.apply(.setattr(gfid: link, SetAttributes(permissions: 0o777))).failureCode == .EOPNOTSUPP)
            // Owner, times and trusted xattrs change the link itself.
            #expect(try fixture.apply(.setattr(gfid: link, SetAttributes(uid: 4321, gid: 4321, modificationTime: .sequencingTime))).failureCode == nil)
            #expect(try fixture.apply(.setxattr(gfid: link, name: try XattrName("trusted.mark"), value: try XattrValue(validating: [1]), mode: .upsert)).failureCode == nil)
        }
        try expectOutsideUntouched()
        #expect(try fixture.store.check() == [])
    }

    @Test func aDirectoryHandleTamperedToPointOutsideIsRefused() throws {
        try fixture.makeDirectory(testGFID(1), "d")
        let handle = fixture.handlePath(testGFID(1))
        // A directory the store already holds open is served where it is, whatever its handle
        // says now: the descriptor is the directory the GFID named when it was resolved.
        #expect(try fixture.stat(testGFID(1)).attributes?.type == .directory)
        try FileManager.default.removeItem(atPath: handle)
        try FileManager.default.createSymbolicLink(atPath: handle, withDestinationPath: fixture.outsidePath)
        #expect(try fixture.apply(.create(storeLocation(testGFID(1), "inside"), gfid: testGFID(5), permissions: 0o644, owner: storeTestOwner, exclusive: true)).failureCode == nil)
        #expect(FileManager.default.fileExists(atPath: fixture.brickPath + "/d/inside"))
        for target in [fixture.outsidePath, "../../../../outside", "../../00/00/\(GFID.root)/../../outside", "/"] {
            try FileManager.default.removeItem(atPath: handle)
            try FileManager.default.createSymbolicLink(atPath: handle, withDestinationPath: target)
            // A store opened now holds nothing open: it resolves the handle, and refuses it.
            try fixture.reopen()
            #expect(throws: StoreFailure.self, "\(target)") {
                try fixture.apply(.create(storeLocation(testGFID(1), "keep"), gfid: testGFID(2), permissions: 0o644, owner: storeTestOwner, exclusive: false))
            }
            #expect(throws: StoreFailure.self, "\(target)") { try fixture.read(.readdir(gfid: testGFID(1), cookie: 0, maxEntries: 10)) }
        }
        // A well-formed handle that points at another directory: that one's GFID does not match.
        try fixture.makeDirectory(testGFID(3), "other")
        try FileManager.default.removeItem(atPath: handle)
        try FileManager.default.createSymbolicLink(atPath: handle, withDestinationPath: "../../00/00/\(GFID.root)/other")
        try fixture.reopen()
        #expect(try fixture.apply(.mkdir(storeLocation(testGFID(1), "x"), gfid: testGFID(4), permissions: 0o755, owner: storeTestOwner)).failureCode == .ESTALE)
        #expect(try fixture.read(.readdir(gfid: testGFID(3), cookie: 0, maxEntries: 10)) == .success(.directory(DirectoryPage(entries: [], nextCookie: 0, isLastPage: true))))
        try expectOutsideUntouched()
    }

    @Test func aGFIDForgedOntoJbrOrItsFilesReachesNothing() throws {
        let forged = testGFID(7)
        let jbr = try StoreDescriptor.openBrick(fixture.brickPath, faults: nil).openDirectory(Array(".jbr".utf8))
        try jbr.setXattr(Array("trusted.gfid".utf8), value: forged.bytes, of: nil)
        try FileManager.default.createDirectory(atPath: (fixture.handlePath(forged) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.handlePath(forged), withDestinationPath: "../../00/00/\(GFID.root)/.jbr")
        let before = try FileManager.default.contentsOfDirectory(atPath: fixture.brickPath + "/.jbr").sorted()
        #expect(throws: StoreFailure.self) { try fixture.apply(.mkdir(storeLocation(forged, "evil"), gfid: testGFID(8), permissions: 0o755, owner: storeTestOwner)) }
        #expect(throws: StoreFailure.self) { try fixture.read(.readdir(gfid: forged, cookie: 0, maxEntries: 10)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.brickPath + "/.jbr").sorted() == before)

        // A handle hard-linked to the store's own mark file: it carries no GFID, so it is refused.
        let markPath = fixture.brickPath + "/.jbr/store/applied-through"
        let mark = try Data(contentsOf: URL(fileURLWithPath: markPath))
        try FileManager.default.linkItem(atPath: markPath, toPath: fixture.handlePath(testGFID(9)))
        #expect(throws: StoreFailure.self) { try fixture.apply(.write(gfid: testGFID(9), offset: 0, data: ByteBuffer(string: "overwrite"))) }
        #expect(throws: StoreFailure.self) { try fixture.apply(.truncate(gfid: testGFID(9), size: 0)) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: markPath)) == mark)
        #expect(try fixture.stat(.null).failureCode == .EINVAL)
        #expect(try fixture.apply(.setattr(gfid: .null, SetAttributes(uid: 0))).failureCode == .EINVAL)
    }

    @Test func handlesThatLoopAreDamageNotAHang() throws {
        try fixture.makeDirectory(testGFID(1), "a")
        try fixture.makeDirectory(testGFID(2), in: testGFID(1), "b")
        let handle = fixture.handlePath(testGFID(1))
        try FileManager.default.removeItem(atPath: handle)
        try FileManager.default.createSymbolicLink(atPath: handle, withDestinationPath: "../../12/34/\(testGFID(2))/a")
        try fixture.reopen()
        #expect(throws: StoreFailure.self) { try fixture.apply(.mkdir(storeLocation(testGFID(2), "c"), gfid: testGFID(3), permissions: 0o755, owner: storeTestOwner)) }
    }
}
