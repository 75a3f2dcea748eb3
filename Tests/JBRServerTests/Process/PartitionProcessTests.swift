import Foundation
import JBRClient
import JBRCore
import Logging
import Testing
@testable import JBRServer

/// A leader cut off from its peers takes writes it cannot commit; the others elect a new leader
/// and commit other writes; when the old leader rejoins, its uncommitted tail is gone from its
/// journal, never reached its store, and its store equals the others'.
@Suite(.serialized)
struct PartitionProcessTests {
    @Test func anIsolatedLeadersUncommittedTailIsGoneWhenItRejoins() async throws {
        // A 1 s election timeout leaves the stranded write time to reach the old leader before
        // it steps down.
        try await ProcessVolume.with(brickOptions: ["election-ticks": "20"], peerProxies: true) { volume in
            let old = try await volume.leader()
            try await volume.client.makeDirectory("/before")
            try await PowerLossProcessTests.waitUntilAllApplied(volume)

            volume.partition(old)
            // A client that gives up quickly hands the isolated leader a write it cannot commit.
            var logger = Logger(label: "stranded-client")
            logger.logLevel = .critical
            let stranded = try VolumeClient(
                configuration: ClientVolfileConfiguration(graph: VolfileParser.parse(String(contentsOfFile: volume.clientVolfile, encoding: .utf8))),
                defaultTimeout: .milliseconds(500), attemptTimeout: .milliseconds(500), logger: logger)
            let create = FileOperation.create(
                EntryLocation(parent: .root, name: try FileName("stranded")), gfid: .null, permissions: 0o644, owner: Owner(uid: 0, gid: 0), exclusive: true)
            await #expect(throws: (any Error).self, "an isolated leader cannot commit") { try await stranded.write(create) }
            await stranded.close()
            let isolated = try await volume.client.status(timeout: .seconds(2))[old].status.get()
            try #require(isolated.last.index > isolated.commit, "the old leader holds an uncommitted tail: \(isolated)")

            // The others elect a leader and commit other writes.
            var new = old
            let deadline = ContinuousClock.now + .seconds(30)
            while new == old && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                new = try await volume.leader(within: .seconds(20))
            }
            try #require(new != old, "the two connected bricks elected a leader")
            try await volume.client.writeFile("/after", data: Array("after the partition".utf8))

            volume.heal()
            try await PowerLossProcessTests.waitUntilAllApplied(volume)
            let trees = try (0..<3).map { try BrickTreeDigest.describe(brick: volume.brickPath($0)) }
            for (number, tree) in trees.enumerated() {
                #expect(!tree.contains { $0.contains("stranded") }, "brick \(number + 1)'s store has the uncommitted create")
                #expect(tree.difference(from: trees[new]).isEmpty, "brick \(number + 1) differs from the new leader's")
            }
            let dump = try volume.runTool("jbr-server", ["logdump", volume.brickPath(old), "--json"])
            #expect(dump.status == 0, "\(dump.errors)")
            #expect(!dump.output.contains("stranded"), "the old leader's journal still holds its uncommitted tail")
            #expect(dump.output.contains("after"), "the old leader's journal has the new leader's writes")
            // The new leader planned the old one's repair from its report: cut the tail, replay.
            let log = try String(contentsOfFile: volume.root + "/log\(new + 1).txt", encoding: .utf8)
            let plans = log.split(separator: "\n").filter { $0.contains("planned a follower's repair") && $0.contains("repl.peer=r\(old)") }
            #expect(plans.contains { $0.contains("truncate after") && $0.contains("replay") }, "\(plans)")
        }
    }
}
