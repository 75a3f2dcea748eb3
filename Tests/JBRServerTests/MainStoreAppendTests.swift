import Foundation
import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// Appends land at the end of the file as it is when applied, and a replay after a crash at
/// any step never writes them twice or loses them (see `MainStore+Append`).
@Suite struct MainStoreAppendTests {
    static let file = testGFID(1)

    func append(_ text: String) -> FileOperation { .append(gfid: Self.file, data: ByteBuffer(string: text)) }

    func fixtureWithFile(_ contents: String = "") throws -> MainStoreFixture {
        let fixture = try MainStoreFixture()
        try fixture.makeFile(Self.file, "log")
        if !contents.isEmpty { try fixture.apply(.write(gfid: Self.file, offset: 0, data: ByteBuffer(string: contents))) }
        return fixture
    }

    /// The append mark on the file, as a crash may leave it: (index, size once the bytes are in).
    func setMark(_ fixture: MainStoreFixture, index: UInt64, end: UInt64) throws {
        let value = [index, end].flatMap { number in (0..<8).map { UInt8(truncatingIfNeeded: number >> (UInt64($0) * 8)) } }
        let name = String(decoding: fixture.store.identityNamespace.appendMarkAttribute, as: UTF8.self)
        let status = fixture.handlePath(Self.file).withCString { path in name.withCString { name in LinuxCalls.lsetxattr(path, name, value, value.count, 0) } }
        try #require(status == 0, "setxattr errno \(errno)")
    }

    func hasMark(_ fixture: MainStoreFixture) -> Bool {
        let name = String(decoding: fixture.store.identityNamespace.appendMarkAttribute, as: UTF8.self)
        return fixture.handlePath(Self.file).withCString { path in name.withCString { name in LinuxCalls.lgetxattr(path, name, nil, 0) } } >= 0
    }

    @Test func appendsLandAtTheEndInTheOrderApplied() throws {
        let fixture = try fixtureWithFile("head:")
        let first = try fixture.apply(append("one,"))
        #expect(first.attributes?.size == 9)
        try fixture.apply(.write(gfid: Self.file, offset: 0, data: ByteBuffer(string: "HEAD")))
        try fixture.apply(append("two"))
        #expect(String(decoding: try fixture.contents(Self.file), as: UTF8.self) == "HEAD:one,two")
        #expect(!hasMark(fixture), "the mark goes once the append is stamped")
    }

    @Test func anAppliedAppendReplayedIsNotWrittenAgain() throws {
        let fixture = try fixtureWithFile("a")
        let logged = fixture.entry(append("b"))
        try fixture.apply(logged)
        try fixture.reopen()
        #expect(try fixture.replay(logged) == .alreadyApplied)
        #expect(String(decoding: try fixture.contents(Self.file), as: UTF8.self) == "ab")
    }

    /// Crash after the mark, before the bytes: the replay writes them where the mark says.
    @Test func aMarkWithoutTheBytesIsFinishedAtItsOffset() throws {
        let fixture = try fixtureWithFile("abc")
        let logged = fixture.entry(append("de"))
        try setMark(fixture, index: logged.position.index.rawValue, end: 5)
        try fixture.reopen()
        guard case .applied(.success(.written(2, let attributes))) = try fixture.replay(logged) else { Issue.record("not applied as a write of 2 bytes"); return }
        #expect(attributes.size == 5)
        #expect(String(decoding: try fixture.contents(Self.file), as: UTF8.self) == "abcde")
        #expect(!hasMark(fixture))
        #expect(try fixture.replay(logged) == .alreadyApplied)
    }

    /// Crash after the bytes, before the stamp: the replay does not write them again.
    @Test func aMarkWithTheBytesInIsOnlyStamped() throws {
        let fixture = try fixtureWithFile("abc")
        let logged = fixture.entry(append("de"))
        try setMark(fixture, index: logged.position.index.rawValue, end: 5)
        let handle = try #require(FileHandle(forWritingAtPath: fixture.handlePath(Self.file)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("de".utf8))
        try handle.close()
        try fixture.reopen()
        guard case .applied(.success(.written(2, _))) = try fixture.replay(logged) else { Issue.record("not answered as a write of 2 bytes"); return }
        #expect(String(decoding: try fixture.contents(Self.file), as: UTF8.self) == "abcde")
        #expect(!hasMark(fixture))
    }

    /// Crash after the stamp, before the mark went: the replay finds it applied and clears it.
    @Test func aMarkLeftAfterTheStampIsCleared() throws {
        let fixture = try fixtureWithFile("abc")
        let logged = fixture.entry(append("de"))
        try fixture.apply(logged)
        try setMark(fixture, index: logged.position.index.rawValue, end: 5)
        try fixture.reopen()
        #expect(try fixture.replay(logged) == .alreadyApplied)
        #expect(!hasMark(fixture))
        #expect(String(decoding: try fixture.contents(Self.file), as: UTF8.self) == "abcde")
    }

    /// A mark of an earlier append (its stamp lost with it) does not steer a later one.
    @Test func anOlderMarkIsNotThisAppendsOffset() throws {
        let fixture = try fixtureWithFile("abc")
        let logged = fixture.entry(append("de"))
        try setMark(fixture, index: logged.position.index.rawValue - 1, end: 100)
        try fixture.reopen()
        try fixture.replay(logged)
        #expect(String(decoding: try fixture.contents(Self.file), as: UTF8.self) == "abcde")
        #expect(!hasMark(fixture))
    }

    @Test func appendingToADirectoryOrNothingIsRefused() throws {
        let fixture = try fixtureWithFile()
        try fixture.makeDirectory(testGFID(2), "directory")
        #expect(try fixture.apply(.append(gfid: testGFID(2), data: ByteBuffer(string: "x"))).failureCode == .EISDIR)
        #expect(try fixture.apply(.append(gfid: testGFID(3), data: ByteBuffer(string: "x"))).failureCode != nil)
    }
}
