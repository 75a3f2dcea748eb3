import Foundation
import JBRClient
import JBRCore
import Testing
@testable import JBRServer

/// A brick down through a long run of writes catches up from the leader's journal when it
/// comes back, and its store ends identical to the others'.
@Suite(.serialized)
struct CatchUpProcessTests {
    @Test func aBrickDownForALongRunOfWritesCatchesUpByJournal() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            let absent = (leader + 1) % 3
            try await volume.client.makeDirectory("/d")
            volume.kill(absent)
            // A long run: 1,500 operations of several kinds while the brick is down.
            var expected: [String: [UInt8]] = [:]
            for number in 0..<1500 {
                let path = "/d/f\(number % 200)"
                let data = Array("run \(number) ".utf8) + Array(repeating: UInt8(number % 251), count: number % 700)
                try await volume.client.writeFile(path, data: data)
                expected[path] = data
                if number % 9 == 0 {
                    try await volume.client.move(path, to: path + ".old")
                    expected[path + ".old"] = data
                    expected[path] = nil
                }
                if number % 13 == 0 {
                    try await volume.client.setExtendedAttribute(XattrName("user.n"), to: XattrValue(validating: Array("\(number)".utf8)), of: "/d")
                }
            }
            try volume.start(absent)
            try await PowerLossProcessTests.waitUntilAllApplied(volume)
            // Status shows the repair as the leader sees it: done now.
            let statuses = await volume.client.status(timeout: .seconds(2)).compactMap { try? $0.status.get() }
            let leaderView = try #require(statuses.first { $0.role == "leader" }, "a leader answered status")
            let returned = try #require(leaderView.followers.first { $0.replicaID == statuses[absent].replicaID })
            #expect(returned.state == .inSync && returned.match == leaderView.last.index, "\(returned)")
            let cli = try volume.runTool("jbr-client", ["--volfile", volume.clientVolfile, "status", "--json"])
            #expect(cli.output.contains("\"in sync\""), "\(cli.output)")

            let trees = try (0..<3).map { try BrickTreeDigest.describe(brick: volume.brickPath($0)) }
            for number in 0..<3 where number != leader {
                let difference = trees[number].difference(from: trees[leader])
                #expect(difference.isEmpty, "brick \(number + 1) differs from the leader: \(difference.prefix(6))")
            }
            // And the volume reads back what was written, from whichever brick leads now.
            for (path, data) in expected.sorted(by: { $0.key < $1.key }).prefix(50) {
                #expect(try await volume.client.readFile(path) == data, "\(path)")
            }
        }
    }
}
