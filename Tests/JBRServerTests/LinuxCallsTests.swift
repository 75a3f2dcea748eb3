import Foundation
import Glibc
import Testing
@testable import JBRServer

/// `getxattrAt` and `setxattrAt` (the store's way to an entry's attributes on Linux 6.13+)
/// must act on the entry itself, a symlink included, exactly as the `/proc/self/fd` path does.
@Suite struct LinuxCallsTests {
    @Test func xattrsOfAnEntryAreReadAndWrittenWithoutFollowingIt() throws {
        let directory = try MainStoreFixture.makeTemporaryDirectory(under: NSTemporaryDirectory())
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #require(FileManager.default.createFile(atPath: directory + "/file", contents: Data()))
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: "file")
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let value: [UInt8] = Array("blue".utf8)

        let set = value.withUnsafeBytes { LinuxCalls.setxattrAt(descriptor, "file", "user.colour", $0.baseAddress, $0.count, LinuxCalls.xattrCreate) }
        guard let set else {
            // A kernel before 6.13: the store takes the /proc path, which other tests cover.
            return
        }
        #expect(set == 0)
        var buffer = [UInt8](repeating: 0, count: 64)
        let length = buffer.withUnsafeMutableBytes { LinuxCalls.lgetxattr(directory + "/file", "user.colour", $0.baseAddress, $0.count) }
        #expect(length == value.count && Array(buffer.prefix(max(length, 0))) == value, "the /proc-free write is the file's")
        let read = buffer.withUnsafeMutableBytes { LinuxCalls.getxattrAt(descriptor, "file", "user.colour", $0.baseAddress, $0.count) }
        #expect(read == value.count)
        // XATTR_CREATE is passed through: a second create fails.
        let again = value.withUnsafeBytes { LinuxCalls.setxattrAt(descriptor, "file", "user.colour", $0.baseAddress, $0.count, LinuxCalls.xattrCreate) }
        #expect(again == -1 && errno == EEXIST)
        // The symlink's own attributes, never its target's.
        let throughLink = buffer.withUnsafeMutableBytes { LinuxCalls.getxattrAt(descriptor, "link", "user.colour", $0.baseAddress, $0.count) }
        #expect(throughLink == -1 && errno == ENODATA)
        // A buffer too small: ERANGE, as getxattr.
        let small = buffer.withUnsafeMutableBytes { LinuxCalls.getxattrAt(descriptor, "file", "user.colour", $0.baseAddress, 2) }
        #expect(small == -1 && errno == ERANGE)
    }
}
