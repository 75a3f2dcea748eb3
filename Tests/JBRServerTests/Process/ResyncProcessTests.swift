import Foundation
import JBRClient
import JBRCore
import Testing
@testable import Journal
@testable import JBRServer

/// A brick that was away while the others trimmed what it lacked from their journals is
/// rebuilt by a full resync from the leader, while clients keep writing, and ends identical.
@Suite(.serialized)
struct ResyncProcessTests {
    /// Random bytes, so lz4 leaves the journal as large as the writes.
    static func noise(_ seed: Int, count: Int) -> [UInt8] {
        var generator = SplitMix64(seed: UInt64(seed))
        return (0..<(count / 8)).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
    }

    @Test func aBrickPastTheJournalsReachIsResyncedInFullWhileWritesGoOn() async throws {
        try await ProcessVolume.with(brickOptions: ["segment-size": "1MB", "retention-bytes": "2MB"]) { volume in
            let absent = try await Self.leaveABrickPastTheJournalsReach(volume)

            // Back, and resynced while a client keeps writing (some to files being copied); its
            // status shows the resync meanwhile. The first attempt is cut short by kill -9: the
            // brick restarts with an incomplete store, empties it and is resynced again.
            let watcher = Task { await Self.resyncProgressSeen(of: absent, in: volume) }
            let marker = volume.brickPath(absent) + "/.jbr/store/resync-in-progress"
            try volume.start(absent)
            let interrupter = Task {
                let deadline = ContinuousClock.now + .seconds(30)
                while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(1))
                }
                volume.kill(absent)
                let interrupted = FileManager.default.fileExists(atPath: marker)
                try volume.start(absent)
                return interrupted
            }
            for number in 0..<40 {
                try await volume.client.writeFile("/d/f\(number % 48)", data: Self.noise(1000 + number, count: 64 << 10))
                if number % 10 == 0 { try await volume.client.move("/d/f\(number)", to: "/d/moved\(number)") }
                try await Task.sleep(for: .milliseconds(25))
            }
            try await volume.client.writeFile("/d/after", data: Array("after".utf8))
            #expect(try await interrupter.value, "the brick was killed with its resync under way")

            let text = try await Self.logOnceResynced(absent, in: volume)
            #expect(text.contains("full resync was cut short"), "the restarted brick found its store incomplete")
            #expect(text.contains("full resync installed"), "the absent brick was resynced in full")
            watcher.cancel()
            let seen = await watcher.value
            #expect(seen.contains { $0.phase == .installingTree || $0.phase == .copyingContents }, "status showed the resync under way: \(seen)")
            #expect(seen.allSatisfy { $0.contentBytesDone <= $0.contentBytes + (4 << 20) && $0.manifestBytesDone <= $0.manifestBytes },
                    "progress within its totals (contents may grow by the writes since the manifest): \(seen)")
            let finalStatus = try? await volume.client.status()[absent].status.get()
            #expect(finalStatus != nil && finalStatus?.resync == nil, "no resync shown once installed: \(String(describing: finalStatus?.resync))")
            let trees = try await Self.expectIdenticalTrees(volume)
            #expect(trees[absent].contains { $0.hasPrefix("/d/sub/owned mode 100640 owner 56:78 links 3") }, "owner, mode and hard link came across (links: two names and the GFID handle): \(trees[absent].filter { $0.contains("owned") })")
            #expect(!trees[absent].contains { $0.hasPrefix("/kept/early ") }, "what was removed before is gone")
        }
    }

    @Test func aResyncWhoseLeaderDiesFinishesFromTheNextLeader() async throws {
        try await ProcessVolume.with(brickOptions: ["segment-size": "1MB", "retention-bytes": "2MB"]) { volume in
            let absent = try await Self.leaveABrickPastTheJournalsReach(volume)
            let leader = try await volume.leader()
            let marker = volume.brickPath(absent) + "/.jbr/store/resync-in-progress"
            try volume.start(absent)
            let deadline = ContinuousClock.now + .seconds(30)
            while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            // The leader dies with the copy under way: the brick being rebuilt still votes (its
            // journal is intact until the copy ends), so the last whole brick is elected.
            volume.kill(leader)
            let killedMidway = FileManager.default.fileExists(atPath: marker)
            #expect(killedMidway, "the leader was killed with the resync under way")
            for number in 0..<20 {
                try await volume.client.writeFile("/d/f\(number)", data: Self.noise(2000 + number, count: 64 << 10))
            }
            let next = try await volume.leader()
            #expect(next != absent, "a brick whose store is incomplete never leads")

            let text = try await Self.logOnceResynced(absent, in: volume)
            #expect(text.contains("full resync failed"), "the first attempt ended with its leader")
            #expect(text.contains("full resync installed"), "the second attempt, from the next leader, finished")
            try volume.start(leader)
            _ = try await Self.expectIdenticalTrees(volume)
        }
    }

    /// The brick's log, once it says its resync is done (or after a minute).
    static func logOnceResynced(_ brick: Int, in volume: ProcessVolume) async throws -> String {
        let log = volume.root + "/log\(brick + 1).txt"
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, !(try String(contentsOfFile: log, encoding: .utf8)).contains("full resync done") {
            try await Task.sleep(for: .milliseconds(200))
        }
        return try String(contentsOfFile: log, encoding: .utf8)
    }

    /// Waits until every brick applied the same last entry, then expects their trees equal the
    /// leader's; returns the trees.
    static func expectIdenticalTrees(_ volume: ProcessVolume) async throws -> [[String]] {
        try await PowerLossProcessTests.waitUntilAllApplied(volume)
        let trees = try (0..<3).map { try BrickTreeDigest.describe(brick: volume.brickPath($0)) }
        let current = try await volume.leader()
        for number in 0..<3 where number != current {
            let difference = trees[number].difference(from: trees[current])
            #expect(difference.isEmpty, "brick \(number + 1) differs from the leader: \(difference.prefix(6))")
        }
        return trees
    }

    /// Kills a follower, then writes every kind of object and 12 MiB (six times the journals'
    /// retention) until the others have trimmed what it lacks. Returns the absent brick.
    static func leaveABrickPastTheJournalsReach(_ volume: ProcessVolume) async throws -> Int {
        let leader = try await volume.leader()
        let absent = (leader + 1) % 3
        // Some of the tree exists before the brick goes away (its journal has it).
        try await volume.client.makeDirectory("/kept")
        try await volume.client.writeFile("/kept/early", data: Array("early".utf8))
        volume.kill(absent)

        // Every kind of object, then 12 MiB: six times the retention.
        try await volume.client.makeDirectory("/d")
        try await volume.client.makeDirectory("/d/sub", permissions: 0o700, owner: Owner(uid: 12, gid: 34))
        try await volume.client.writeFile("/d/sub/owned", data: Array("owned".utf8), permissions: 0o640, owner: Owner(uid: 56, gid: 78))
        _ = try await volume.client.link("/d/sub/owned", at: "/d/second-name")
        _ = try await volume.client.makeSymbolicLink(at: "/d/link", target: "../nowhere/at/all")
        try await volume.client.setExtendedAttribute(XattrName("user.colour"), to: XattrValue(validating: Array("blue".utf8)), of: "/d/sub/owned")
        try await volume.client.setExtendedAttribute(XattrName("user.root"), to: XattrValue(validating: Array("yes".utf8)), of: "/")
        try await volume.client.remove("/kept/early")
        for number in 0..<48 {
            try await volume.client.writeFile("/d/f\(number)", data: noise(number, count: 256 << 10))
        }
        // Checkpoints come a second apart and happen on apply.
        try await Task.sleep(for: .milliseconds(1500))
        try await volume.client.writeFile("/d/trigger", data: Array("trim".utf8))
        let deadline = ContinuousClock.now + .seconds(20)
        var firstIndexes: [UInt64] = []
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            firstIndexes = try [0, 1, 2].filter { $0 != absent }.map { brick in
                try FileManager.default.contentsOfDirectory(atPath: volume.brickPath(brick) + "/.jbr/journal")
                    .compactMap { SegmentName.firstIndex(of: $0)?.rawValue }.min() ?? 1
            }
        } while firstIndexes.contains(where: { $0 < 20 }) && ContinuousClock.now < deadline
        #expect(firstIndexes.allSatisfy { $0 >= 20 }, "the others trimmed what the absent brick lacks: \(firstIndexes)")
        return absent
    }

    /// Polls the brick's status until cancelled; returns each distinct resync progress it showed.
    static func resyncProgressSeen(of brick: Int, in volume: ProcessVolume) async -> [ResyncProgress] {
        var seen: [ResyncProgress] = []
        while !Task.isCancelled {
            let statuses = await volume.client.status(timeout: .milliseconds(500))
            if let progress = (try? statuses[brick].status.get())?.resync,
                seen.last.map({ $0.phase != progress.phase || $0.contentBytesDone != progress.contentBytesDone }) ?? true {
                seen.append(progress)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return seen
    }
}
