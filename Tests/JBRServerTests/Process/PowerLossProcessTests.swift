import Foundation
import JBRClient
import JBRCore
import Synchronization
import Testing
@testable import JBRServer

/// Power loss of the whole replica set: kill -9 all three bricks during a stream of writes,
/// restart them in random order, and check nothing acknowledged was lost and the stores agree.
@Suite(.serialized)
struct PowerLossProcessTests {
    @Test func killingEveryBrickLosesNoAcknowledgedWriteAndTheStoresEndIdentical() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            try await volume.client.makeDirectory("/d")
            try await volume.client.makeSymbolicLink(at: "/d/link", target: "../somewhere")
            // A stream of writes of every common kind; what was acknowledged is remembered.
            let client = volume.client
            let progress = WriteProgress()
            let writer = Task { () -> [String: [UInt8]] in
                var acknowledged: [String: [UInt8]] = [:]
                var number = 0
                while !Task.isCancelled {
                    let path = "/d/f\(number % 40)"
                    let data = Array("write \(number) ".utf8) + Array(repeating: UInt8(number % 251), count: number % 3000)
                    do {
                        try await client.writeFile(path, data: data)
                        acknowledged[path] = data
                        progress.count.add(1, ordering: .relaxed)
                        if number % 7 == 0 {
                            try await client.move(path, to: path + ".moved")
                            acknowledged[path + ".moved"] = data
                            acknowledged[path] = nil
                        }
                        if number % 11 == 0 {
                            try await client.setExtendedAttribute(XattrName("user.n"), to: XattrValue(validating: Array("\(number)".utf8)), of: "/d")
                        }
                    } catch {
                        // Unacknowledged: the write may or may not have happened. Forget the path.
                        acknowledged[path] = nil
                        acknowledged[path + ".moved"] = nil
                        break
                    }
                    number += 1
                }
                return acknowledged
            }
            // Power fails at a random moment once a stream is under way (a loaded machine is slow).
            let deadline = ContinuousClock.now + .seconds(20)
            while progress.count.load(ordering: .relaxed) < 20 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(Int64.random(in: 0...300, using: &generator)))
            for number in [0, 1, 2].shuffled(using: &generator) { volume.kill(number) }
            writer.cancel()
            let acknowledged = await writer.value
            #expect(!acknowledged.isEmpty, "seed \(seed): some writes were acknowledged before the power loss")

            for number in [0, 1, 2].shuffled(using: &generator) {
                try volume.start(number)
                try await Task.sleep(for: .milliseconds(Int64.random(in: 0...300, using: &generator)))
            }
            _ = try await volume.leader(within: .seconds(30))
            for (path, data) in acknowledged.sorted(by: { $0.key < $1.key }) {
                #expect(try await volume.client.readFile(path) == data, "seed \(seed): \(path) after the power loss")
            }
            try await Self.waitUntilAllApplied(volume)
            let trees = try (0..<3).map { try BrickTreeDigest.describe(brick: volume.brickPath($0)) }
            #expect(trees[0].count > 3, "seed \(seed)")
            for number in 1..<3 {
                let difference = trees[number].difference(from: trees[0])
                #expect(difference.isEmpty, "seed \(seed): brick \(number + 1) differs from brick 1: \(difference.prefix(6))")
            }
        }
    }

    /// The comparison above can fail: content, permissions and extended attributes all show.
    @Test func theTreeDigestSeesContentPermissionAndAttributeDifferences() throws {
        let root = NSTemporaryDirectory() + "jbr-digest-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/.jbr", withIntermediateDirectories: true)
        try Data("abc".utf8).write(to: URL(fileURLWithPath: root + "/f"))
        let original = try BrickTreeDigest.describe(brick: root)
        try Data("journal".utf8).write(to: URL(fileURLWithPath: root + "/.jbr/ignored"))
        #expect(try BrickTreeDigest.describe(brick: root) == original, ".jbr is not part of the store")
        try Data("abd".utf8).write(to: URL(fileURLWithPath: root + "/f"))
        let changedContent = try BrickTreeDigest.describe(brick: root)
        #expect(changedContent != original)
        chmod(root + "/f", 0o600)
        let changedMode = try BrickTreeDigest.describe(brick: root)
        #expect(changedMode != changedContent)
        _ = LinuxCalls.lsetxattr(root + "/f", "user.x", "1", 1, 0)
        #expect(try BrickTreeDigest.describe(brick: root) != changedMode)
    }

    final class WriteProgress: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Waits (bounded) until every brick applied the same last entry.
    static func waitUntilAllApplied(_ volume: ProcessVolume) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let statuses = await volume.client.status(timeout: .seconds(1)).compactMap { try? $0.status.get() }
            if statuses.count == 3, Set(statuses.map(\.last)).count == 1, statuses.allSatisfy({ $0.applied == $0.last.index }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw JBRError(.timedOut, "the bricks did not all apply the same last entry within 20 s")
    }
}
