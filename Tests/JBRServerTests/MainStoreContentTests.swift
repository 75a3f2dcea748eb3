import Foundation
import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// The operation matrix for contents and attributes: write, truncate, fallocate, discard,
/// zerofill, setattr subsets, xattrs.
@Suite struct MainStoreContentTests {
    let fixture: MainStoreFixture
    let file = testGFID(1)

    init() throws {
        fixture = try MainStoreFixture()
        try fixture.makeDirectory(testGFID(9), "d")
        try fixture.makeFile(file, "f", permissions: 0o640)
        try fixture.apply(.symlink(storeLocation(.root, "l"), gfid: testGFID(2), target: try SymlinkTarget("f"), owner: storeTestOwner))
    }

    @Test func writesLandWhereAskedAndHolesReadAsZeros() throws {
        let written = try fixture.apply(.write(gfid: file, offset: 4, data: ByteBuffer(string: "abc")))
        guard case let .success(.written(count, attributes)) = written else { Issue.record("write answered \(written)"); return }
        #expect(count == 3 && attributes.size == 7 && attributes.modificationTime == MainStoreFixture.time(4))
        #expect(try fixture.contents(file) == [0, 0, 0, 0] + Array("abc".utf8))
        try fixture.apply(.write(gfid: file, offset: 5, data: ByteBuffer(string: "XY")))
        #expect(try fixture.contents(file) == [0, 0, 0, 0] + Array("aXY".utf8))
        #expect(try fixture.read(.read(gfid: file, offset: 5, length: 1)) == .success(.data(ByteBuffer(string: "X"), endOfFile: false)))
        #expect(try fixture.read(.read(gfid: file, offset: 100, length: 10)) == .success(.data(ByteBuffer(), endOfFile: true)))
        #expect(try fixture.apply(.write(gfid: testGFID(9), offset: 0, data: ByteBuffer(string: "x"))).failureCode == .EISDIR)
        #expect(try fixture.apply(.write(gfid: testGFID(2), offset: 0, data: ByteBuffer(string: "x"))).failureCode == .EINVAL)
        #expect(try fixture.apply(.write(gfid: file, offset: UInt64(Int64.max), data: ByteBuffer(string: "x"))).failureCode == .EFBIG)
        #expect(try fixture.read(.read(gfid: file, offset: 0, length: UInt32(CodecLimits.maxDataBytes) + 1)).failureCode == .EINVAL)
    }

    /// A written file stays open for the next write (`writableFiles`): the file's names changing
    /// in between must give what a fresh look would.
    @Test func writesAfterTheFilesNamesChangeFindWhatAFreshLookWould() throws {
        try fixture.apply(.write(gfid: file, offset: 0, data: ByteBuffer(string: "one")))
        try fixture.apply(.link(gfid: file, to: storeLocation(.root, "g")))
        try fixture.apply(.unlink(storeLocation(.root, "f"), gfid: file))
        // Still named g: the write lands, and g shows it.
        #expect(try fixture.apply(.write(gfid: file, offset: 3, data: ByteBuffer(string: "two"))).failureCode == nil)
        #expect(try fixture.contents(file) == Array("onetwo".utf8))
        try fixture.apply(.rename(gfid: file, from: storeLocation(.root, "g"), to: storeLocation(testGFID(9), "h"), noReplace: false))
        #expect(try fixture.apply(.write(gfid: file, offset: 6, data: ByteBuffer(string: "!"))).failureCode == nil)
        #expect(try fixture.contents(file) == Array("onetwo!".utf8))
        // Its last name gone: stale, as for a file never written before.
        try fixture.apply(.unlink(storeLocation(testGFID(9), "h"), gfid: file))
        #expect(try fixture.apply(.write(gfid: file, offset: 0, data: ByteBuffer(string: "x"))).failureCode == .ESTALE)
        let other = testGFID(3)
        try fixture.makeFile(other, "o")
        try fixture.apply(.write(gfid: other, offset: 0, data: ByteBuffer(string: "keep")))
        // Replaced by a rename over it (an operation that does not name it): stale too.
        try fixture.makeFile(testGFID(4), "n")
        try fixture.apply(.rename(gfid: testGFID(4), from: storeLocation(.root, "n"), to: storeLocation(.root, "o"), noReplace: false))
        #expect(try fixture.apply(.write(gfid: other, offset: 0, data: ByteBuffer(string: "x"))).failureCode == .ESTALE)
    }

    /// A content change answers without reading its file's times back (they would make the
    /// kernel move every file's clock): what it answers is still what a stat says after it, but
    /// for the change time, which is the operation's own.
    @Test func aContentChangeAnswersWhatAStatSaysAfterIt() throws {
        for operation in [
            FileOperation.write(gfid: file, offset: 4096, data: ByteBuffer(string: "abc")),
            .append(gfid: file, data: ByteBuffer(string: "de")),
            .truncate(gfid: file, size: 10_000),
            .fallocate(gfid: file, offset: 0, length: 65_536, keepSize: true),
        ] {
            let answered = try fixture.attributes(operation)
            let stated = try #require(try fixture.stat(file).attributes)
            #expect(answered.modificationTime == stated.modificationTime, "\(operation.name)")
            #expect(answered.changeTime == answered.modificationTime, "\(operation.name)")
            var comparable = answered
            comparable.changeTime = stated.changeTime
            // ext4 counts blocks reserved for delayed allocation until they are written out,
            // so the block count moves on its own (an append answered 16 and then stat'ed 8,
            // with fstat as with statx).
            comparable.blocks = stated.blocks
            #expect(comparable == stated, "\(operation.name)")
        }
    }

    /// `statusWithoutTimes` reports what `fstat` does, times aside.
    @Test func theStatusWithoutTimesAgreesWithFstat() throws {
        try fixture.apply(.write(gfid: file, offset: 0, data: ByteBuffer(repeating: 7, count: 10_000)))
        let fd = open(fixture.handlePath(file), O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let descriptor = StoreDescriptor(adopting: fd, label: "file", faults: nil)
        let full = try descriptor.status()
        let partial = try descriptor.statusWithoutTimes()
        #expect(partial.st_mode == full.st_mode && partial.st_nlink == full.st_nlink)
        #expect(partial.st_uid == full.st_uid && partial.st_gid == full.st_gid)
        // Blocks: 10,000 bytes take at least 20 sectors (delayed allocation may move the exact
        // count between the two calls).
        #expect(partial.st_size == full.st_size && partial.st_blocks >= 20 && full.st_blocks >= 20)
        #expect(partial.st_ino == full.st_ino && partial.st_dev == full.st_dev)
        #expect(partial.st_atim.tv_sec == full.st_atim.tv_sec && partial.st_atim.tv_nsec == full.st_atim.tv_nsec)
    }

    @Test func truncateGrowsWithZerosAndShrinks() throws {
        try fixture.apply(.write(gfid: file, offset: 0, data: ByteBuffer(string: "0123456789")))
        #expect(try fixture.attributes(.truncate(gfid: file, size: 4)).size == 4)
        #expect(try fixture.contents(file) == Array("0123".utf8))
        let grown = try fixture.attributes(.truncate(gfid: file, size: 8))
        #expect(grown.size == 8 && grown.modificationTime == MainStoreFixture.time(6))
        #expect(try fixture.contents(file) == Array("0123".utf8) + [0, 0, 0, 0])
        #expect(try fixture.apply(.truncate(gfid: testGFID(9), size: 0)).failureCode == .EISDIR)
    }

    @Test func fallocateDiscardAndZerofillKeepTheirPromisesAboutSize() throws {
        try fixture.apply(.write(gfid: file, offset: 0, data: ByteBuffer(repeating: 0x41, count: 8192)))
        #expect(try fixture.attributes(.fallocate(gfid: file, offset: 0, length: 65536, keepSize: true)).size == 8192)
        #expect(try fixture.attributes(.fallocate(gfid: file, offset: 8192, length: 4096, keepSize: false)).size == 12288)
        #expect(try fixture.apply(.fallocate(gfid: file, offset: 0, length: 0, keepSize: false)).failureCode == .EINVAL)
        // Discard: a hole that reads as zeros, size unchanged.
        #expect(try fixture.attributes(.discard(gfid: file, offset: 4096, length: 100_000)).size == 12288)
        var expected = [UInt8](repeating: 0x41, count: 4096) + [UInt8](repeating: 0, count: 8192)
        #expect(try fixture.contents(file) == expected)
        // Zerofill: zeros, and the file grows to cover the range.
        try fixture.apply(.write(gfid: file, offset: 4096, data: ByteBuffer(repeating: 0x42, count: 8192)))
        #expect(try fixture.attributes(.zerofill(gfid: file, offset: 6000, length: 10_000)).size == 16000)
        expected = [UInt8](repeating: 0x41, count: 4096) + [UInt8](repeating: 0x42, count: 1904) + [UInt8](repeating: 0, count: 10_000)
        #expect(try fixture.contents(file) == expected)
        #expect(try fixture.apply(.discard(gfid: testGFID(2), offset: 0, length: 1)).failureCode == .EINVAL)
    }

    @Test func setattrChangesExactlyTheFieldsGiven() throws {
        let before = try #require(try fixture.stat(file).attributes)
        let modeOnly = try fixture.attributes(.setattr(gfid: file, SetAttributes(permissions: 0o4700)))
        #expect(modeOnly.permissions == 0o4700 && modeOnly.owner == before.owner && modeOnly.modificationTime == before.modificationTime)
        let uidOnly = try fixture.attributes(.setattr(gfid: file, SetAttributes(uid: 7)))
        #expect(uidOnly.owner == Owner(uid: 7, gid: before.owner.gid))
        let gidOnly = try fixture.attributes(.setattr(gfid: file, SetAttributes(gid: 8)))
        #expect(gidOnly.owner == Owner(uid: 7, gid: 8))
        let exact = Timestamp(seconds: 1_000_000_000, nanoseconds: 5)
        let times = try fixture.attributes(.setattr(gfid: file, SetAttributes(accessTime: .exact(exact), modificationTime: .sequencingTime)))
        #expect(times.accessTime == exact && times.modificationTime == MainStoreFixture.time(7))
        let atimeOnly = try fixture.attributes(.setattr(gfid: file, SetAttributes(accessTime: .sequencingTime)))
        #expect(atimeOnly.accessTime == MainStoreFixture.time(8) && atimeOnly.modificationTime == MainStoreFixture.time(7))
        // Owner and mode together: the set-id bits asked for survive the chown.
        let both = try fixture.attributes(.setattr(gfid: file, SetAttributes(permissions: 0o6755, uid: 0, gid: 0)))
        #expect(both.permissions == 0o6755 && both.owner == Owner(uid: 0, gid: 0))
        // A symlink has times and an owner but no permissions of its own.
        #expect(try fixture.apply(.setattr(gfid: testGFID(2), SetAttributes(permissions: 0o600))).failureCode == .EOPNOTSUPP)
        #expect(try fixture.attributes(.setattr(gfid: testGFID(2), SetAttributes(uid: 5, modificationTime: .exact(exact)))).owner.uid == 5)
        #expect(try fixture.attributes(.setattr(gfid: .root, SetAttributes(permissions: 0o711))).permissions == 0o711)
        #expect(try fixture.apply(.setattr(gfid: testGFID(77), SetAttributes(uid: 1))).failureCode == .ESTALE)
    }

    @Test func xattrsFollowTheirModesAndTheStoresOwnStayHidden() throws {
        let colour = try XattrName("user.colour")
        let blue = try XattrValue(validating: Array("blue".utf8))
        let red = try XattrValue(validating: Array("red".utf8))
        #expect(try fixture.apply(.setxattr(gfid: file, name: colour, value: red, mode: .replaceOnly)).failureCode == .ENODATA)
        #expect(try fixture.apply(.setxattr(gfid: file, name: colour, value: blue, mode: .createOnly)) == .success(.done))
        #expect(try fixture.apply(.setxattr(gfid: file, name: colour, value: red, mode: .createOnly)).failureCode == .EEXIST)
        #expect(try fixture.apply(.setxattr(gfid: file, name: colour, value: red, mode: .replaceOnly)) == .success(.done))
        #expect(try fixture.read(.getxattr(gfid: file, name: colour)) == .success(.xattrValue(red)))
        try fixture.apply(.setxattr(gfid: testGFID(9), name: try XattrName("trusted.note"), value: blue, mode: .upsert))
        #expect(try fixture.read(.listxattr(gfid: file)) == .success(.xattrNames([colour])))
        #expect(try fixture.read(.listxattr(gfid: testGFID(9))) == .success(.xattrNames([try XattrName("trusted.note")])))
        // The store's own: invisible, and nobody may set or remove them.
        for reserved in ["trusted.gfid", "user.jbr.gfid", "trusted.jbr.applied", "user.jbr.anything"] {
            let name = try XattrName(reserved)
            #expect(try fixture.read(.getxattr(gfid: file, name: name)).failureCode == .ENODATA, "\(reserved)")
            #expect(try fixture.apply(.setxattr(gfid: file, name: name, value: blue, mode: .upsert)).failureCode == .EPERM, "\(reserved)")
            #expect(try fixture.apply(.removexattr(gfid: file, name: name)).failureCode == .EPERM, "\(reserved)")
        }
        #expect(try fixture.stat(file).attributes?.gfid == file)
        #expect(try fixture.apply(.setxattr(gfid: file, name: try XattrName("os2.thing"), value: blue, mode: .upsert)).failureCode == .EOPNOTSUPP)
        // Linux keeps user xattrs off symlinks; trusted ones are fine there.
        #expect(try fixture.apply(.setxattr(gfid: testGFID(2), name: colour, value: blue, mode: .upsert)).failureCode == .EPERM)
        #expect(try fixture.apply(.setxattr(gfid: testGFID(2), name: try XattrName("trusted.x"), value: blue, mode: .upsert)) == .success(.done))
        #expect(try fixture.apply(.removexattr(gfid: file, name: colour)) == .success(.done))
        #expect(try fixture.apply(.removexattr(gfid: file, name: colour)).failureCode == .ENODATA)
        #expect(try fixture.read(.getxattr(gfid: file, name: colour)).failureCode == .ENODATA)
    }
}
