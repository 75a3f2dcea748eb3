import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// Reads: lookup, stat, readdir paging, readlink, statfs, and their errors.
@Suite struct MainStoreReadTests {
    @Test func lookupAndStatAnswerWhatAPOSIXUserExpects() throws {
        let fixture = try MainStoreFixture()
        try fixture.makeFile(testGFID(1), "f")
        #expect(try fixture.lookup(.root, "f").attributes?.gfid == testGFID(1))
        #expect(try fixture.lookup(.root, "missing").failureCode == .ENOENT)
        #expect(try fixture.lookup(testGFID(1), "x").failureCode == .ENOTDIR)
        #expect(try fixture.lookup(testGFID(5), "x").failureCode == .ESTALE)
        #expect(try fixture.lookup(.root, ".jbr").failureCode == .ENOENT)
        #expect(try fixture.stat(.null).failureCode == .EINVAL)
        #expect(try fixture.stat(testGFID(5)).failureCode == .ESTALE)
        #expect(try fixture.read(.readlink(gfid: testGFID(1))).failureCode == .EINVAL)
        #expect(try fixture.read(.read(gfid: .root, offset: 0, length: 1)).failureCode == .EISDIR)
        #expect(try fixture.read(.readdir(gfid: testGFID(1), cookie: 0, maxEntries: 10)).failureCode == .ENOTDIR)
        #expect(try fixture.read(.readdir(gfid: .root, cookie: 0, maxEntries: 0)).failureCode == .EINVAL)
        let root = try #require(try fixture.stat(.root).attributes)
        #expect(root.type == .directory && root.gfid == .root && root.linkCount == 2, "the root's count leaves out .jbr")
    }

    @Test func readdirPagesThroughEveryEntryOnceWithAttributesAndWithoutJbr() throws {
        let fixture = try MainStoreFixture()
        for number in 1...40 { try fixture.makeFile(testGFID(UInt64(number)), "file-\(number)") }
        try fixture.makeDirectory(testGFID(100), "dir")
        let listed = try listAll(fixture, .root, pageSize: 7)
        #expect(listed.count == 41)
        #expect(Set(listed.map(\.name.description)).count == 41)
        #expect(!listed.contains { $0.name.description == ".jbr" })
        #expect(listed.first { $0.name.description == "dir" }?.attributes.type == .directory)
        #expect(listed.first { $0.name.description == "file-7" }?.attributes.gfid == testGFID(7))
        // One page for all, and an empty directory.
        #expect(try listAll(fixture, .root, pageSize: 4096).count == 41)
        #expect(try fixture.read(.readdir(gfid: testGFID(100), cookie: 0, maxEntries: 5)) == .success(.directory(DirectoryPage(entries: [], nextCookie: 0, isLastPage: true))))
    }

    @Test func cookiesStayValidWhileTheDirectoryChangesBetweenPages() throws {
        let fixture = try MainStoreFixture()
        for number in 1...30 { try fixture.makeFile(testGFID(UInt64(number)), "old-\(number)") }
        var seen: [String] = []
        var cookie: UInt64 = 0
        var page = 0
        while true {
            guard case let .success(.directory(listing)) = try fixture.read(.readdir(gfid: .root, cookie: cookie, maxEntries: 4)) else {
                Issue.record("readdir failed")
                return
            }
            seen += listing.entries.map(\.name.description)
            if listing.isLastPage { break }
            cookie = listing.nextCookie
            // Between pages, other clients add and remove names.
            page += 1
            try fixture.makeFile(testGFID(UInt64(100 + page)), "new-\(page)")
            if page == 2 { try fixture.apply(.unlink(storeLocation(.root, "new-1"), gfid: testGFID(101))) }
        }
        let old = seen.filter { $0.hasPrefix("old-") }
        #expect(old.count == 30 && Set(old).count == 30, "every entry present throughout is listed exactly once")
        #expect(Set(seen).count == seen.count)
    }

    @Test func statfsDescribesTheBricksFileSystem() throws {
        let fixture = try MainStoreFixture()
        guard case let .success(.fileSystem(stats)) = try fixture.read(.statfs) else {
            Issue.record("statfs failed")
            return
        }
        #expect(stats.blockSize > 0 && stats.totalBlocks > 0 && stats.freeBlocks <= stats.totalBlocks)
        #expect(stats.availableBlocks <= stats.freeBlocks && stats.maxNameLength == 255)
    }

    private func listAll(_ fixture: MainStoreFixture, _ directory: GFID, pageSize: UInt32) throws -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        var cookie: UInt64 = 0
        while true {
            guard case let .success(.directory(page)) = try fixture.read(.readdir(gfid: directory, cookie: cookie, maxEntries: pageSize)) else {
                throw JBRError(.EIO, "readdir failed")
            }
            #expect(page.entries.count <= Int(pageSize))
            entries += page.entries
            if page.isLastPage { return entries }
            cookie = page.nextCookie
        }
    }
}
