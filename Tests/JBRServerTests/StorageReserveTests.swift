import Foundation
import Testing
import TestSupport
@testable import JBRServer

/// The free-space reserve as the brick watches it: the kernel's own figures of a small tmpfs.
@Suite(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
struct StorageReserveTests {
    @Test func fillingPastTheReserveAndFreeingAreEachReportedOnce() throws {
        let disk = try #require(SmallFileSystem(options: "size=4m"))
        let reserve = try StorageReserve(brickPath: disk.path, percent: 25)
        #expect(reserve.change() == false, "an empty file system is reported above the reserve")
        #expect(reserve.change() == nil, "and not again while that holds")
        let ballast = disk.fill(chunk: 64 << 10)
        #expect(reserve.change() == true)
        #expect(reserve.change() == nil)
        for file in ballast { try FileManager.default.removeItem(atPath: file) }
        #expect(reserve.change() == false)
    }

    @Test func runningOutOfInodesIsWithinTheReserveToo() throws {
        let disk = try #require(SmallFileSystem(options: "size=4m,nr_inodes=64"))
        let reserve = try StorageReserve(brickPath: disk.path, percent: 10)
        #expect(reserve.change() == false)
        for number in 0..<60 { _ = FileManager.default.createFile(atPath: disk.path + "/f\(number)", contents: nil) }
        #expect(reserve.change() == true)
    }

    @Test func aZeroReserveIsNeverLowAndAMissingBrickIsAClearError() throws {
        let disk = try #require(SmallFileSystem(options: "size=1m"))
        _ = disk.fill(chunk: 64 << 10)
        #expect(try StorageReserve(brickPath: disk.path, percent: 0).change() == false)
        #expect(throws: (any Error).self) { try StorageReserve(brickPath: disk.path + "/missing", percent: 1) }
    }
}
