import Foundation
import JBRCore
import Testing
import TestSupport

/// A brick whose disk is full cannot persist a new term or vote; it must wait for room, not
/// exit (the nemesis found a follower stopping on ENOSPC while an election ran).
@Suite(.serialized, .enabled(if: SmallFileSystem.canMount, "needs root to mount a tmpfs per brick"))
struct FullDiskProcessTests {
    @Test func aFollowerThatCannotPersistItsVoteWaitsForRoomAndThenVotes() async throws {
        try await ProcessVolume.with(brickOptions: ["segment-size": "4MB", "retention-bytes": "16MB"], diskBytes: 64 << 20) { volume in
            let leader = try await volume.leader()
            try await volume.client.writeFile("/before", data: Array("before the disk filled".utf8))
            let full = (leader + 1) % 3
            let ballast = volume.disks[full].fill()
            // With the leader gone, no election can finish without the full brick's vote.
            volume.kill(leader)
            try await Task.sleep(for: .seconds(3))
            let process = try #require(volume.processes[full])
            #expect(process.isRunning, "the brick with the full disk exited (status \(process.terminationStatus))")
            let log = try String(contentsOfFile: volume.root + "/log\(full + 1).txt", encoding: .utf8)
            let waitsForRoom = log.contains("cannot persist the term and vote; the brick waits for room")
            #expect(waitsForRoom, "the brick says why it is stuck")

            for file in ballast { try FileManager.default.removeItem(atPath: file) }
            let next = try await volume.leader(within: .seconds(20))
            #expect(next != leader)
            try await volume.client.writeFile("/after", data: Array("after the disk had room".utf8))
            try volume.start(leader)
            try await PowerLossProcessTests.waitUntilAllApplied(volume)
            #expect(try await volume.client.readFile("/before") == Array("before the disk filled".utf8))
        }
    }
}
