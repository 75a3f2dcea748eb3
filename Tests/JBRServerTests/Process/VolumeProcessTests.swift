import Foundation
import JBRClient
import JBRCore
import Logging
import Testing

/// Real processes on loopback: three `jbr-server`s and a client, with kill -9.
@Suite(.serialized)
struct VolumeProcessTests {
    /// Not skipped when the binary is missing: a process test that never runs proves nothing.
    @Test func theServerBinaryIsBuilt() {
        #expect(ProcessVolume.available, "jbr-server is not built next to the tests: run `swift build` first (`make test` does)")
    }

    @Test func aWrittenFileIsIdenticalOnAllThreeStores() async throws {
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
            try await volume.client.makeDirectory("/dir")
            try await volume.client.writeFile("/dir/file", data: data)
            #expect(try await volume.client.readFile("/dir/file") == data)
            // Applied on every brick (followers apply as commit news reaches them).
            for number in 0..<3 {
                let path = volume.brickPath(number) + "/dir/file"
                var stored: [UInt8]?
                for _ in 0..<100 {
                    stored = FileManager.default.contents(atPath: path).map(Array.init)
                    if stored == data { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(stored == data, "brick \(number + 1)")
            }
        }
    }

    @Test func killingTheLeaderMidStreamLosesNoAcknowledgedWriteAndAppliesNothingTwice() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            try await volume.client.writeFile("/log", data: [])
            let file = try await volume.client.attributes(of: "/log")
            // Each write puts its own 8 bytes at its own offset: a lost or doubled write shows.
            var acknowledged = 0
            for number in 0..<60 {
                if number == 20 { volume.kill(leader) }
                var bytes = [UInt8](repeating: 0, count: 8)
                withUnsafeBytes(of: UInt64(number).littleEndian) { bytes = Array($0) }
                _ = try await volume.client.write(.write(gfid: file.gfid, offset: UInt64(number * 8), data: .init(bytes: bytes)), timeout: .seconds(20))
                acknowledged += 1
            }
            #expect(acknowledged == 60)
            let contents = try await volume.client.readFile("/log")
            #expect(contents.count == 480)
            for number in 0..<60 {
                let value = contents[(number * 8)..<(number * 8 + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                #expect(value == UInt64(number), "write \(number)")
            }
            // The killed brick comes back from its journal and catches up.
            try volume.start(leader)
            var caughtUp = false
            for _ in 0..<200 {
                let statuses = await volume.client.status(timeout: .seconds(1)).compactMap { try? $0.status.get() }
                if statuses.count == 3, Set(statuses.map(\.applied)).count == 1 { caughtUp = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(caughtUp)
            #expect(FileManager.default.contents(atPath: volume.brickPath(leader) + "/log").map(Array.init) == contents)
        }
    }

    /// Renames are not idempotent: one applied twice fails (its source is gone). A paused leader
    /// makes the client time out and retry elsewhere with the same request id; every rename must
    /// still succeed exactly once.
    @Test func renamesRetriedAcrossAPausedLeaderApplyOnce() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            try await volume.client.writeFile("/a", data: Array("payload".utf8))
            var name = "/a"
            for step in 0..<30 {
                if step == 10 { volume.pause(leader) }
                let next = step % 2 == 0 ? "/b" : "/a"
                let source = try await volume.client.location(of: name)
                let file = try await volume.client.attributes(of: name)
                _ = try await volume.client.write(.rename(gfid: file.gfid, from: source, to: try await volume.client.location(of: next), noReplace: true), timeout: .seconds(20))
                name = next
            }
            volume.resume(leader)
            #expect(try await volume.client.readFile(name) == Array("payload".utf8))
            let other = name == "/a" ? "/b" : "/a"
            await #expect(throws: JBRError.self) { try await volume.client.attributes(of: other) }
        }
    }

    /// A paused brick takes the connection but never answers the handshake: a new client that
    /// dials it first must give up on it after one attempt, not after the wire's 10 s handshake
    /// limit, which is longer than this operation's whole deadline (the paused-leader test
    /// above failed now and then on that wait).
    @Test func aNewClientDialingAPausedBrickFirstMovesOnWithinAnAttempt() async throws {
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            try await volume.client.makeDirectory("/seen")
            volume.pause(0)
            defer { volume.resume(0) }
            var logger = Logger(label: "fresh-client")
            logger.logLevel = .critical
            let fresh = try VolumeClient(
                configuration: ClientVolfileConfiguration(graph: VolfileParser.parse(String(contentsOfFile: volume.clientVolfile, encoding: .utf8))),
                defaultTimeout: .seconds(6), attemptTimeout: .seconds(1), logger: logger)
            let start = ContinuousClock.now
            #expect(try await fresh.attributes(of: "/seen").type == .directory)
            #expect(ContinuousClock.now - start < .seconds(6))
            await fresh.close()
        }
    }

    @Test func withTwoBricksDownWritesFailWithNoQuorumThenRecover() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            try await volume.client.makeDirectory("/before")
            let others = (0..<3).filter { $0 != leader }
            for number in others { volume.kill(number) }
            let start = ContinuousClock.now
            await #expect {
                try await volume.client.makeDirectory("/during", permissions: 0o755)
            } throws: { error in
                guard let error = error as? JBRError else { return false }
                return [.noQuorum, .notLeader, .timedOut, .connectionClosed].contains(error.code)
            }
            #expect(ContinuousClock.now - start < .seconds(45), "failed in bounded time")
            try volume.start(others[0])
            _ = try await volume.leader(within: .seconds(30))
            try await volume.client.makeDirectory("/after")
            #expect(try await volume.client.attributes(of: "/after").type == .directory)
        }
    }
}
