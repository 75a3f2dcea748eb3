import Foundation
import JBRClient
import JBRCore
import Testing

/// `jbr-server recon` against three real bricks: what it reports, its plan and its exit status,
/// with every brick up and with one down; and without `--dry-run`, carrying the plan out.
@Suite(.serialized)
struct ReconProcessTests {
    @Test func theReplicasAgreeAfterWritesAndADownBrickIsPendingUntilItCatchesUp() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            for number in 0..<5 { try await volume.client.writeFile("/f\(number)", data: Array("file \(number)".utf8)) }
            let settled = try await Self.recon(volume, until: { $0.status == 0 })
            #expect(settled.status == 0, "\(settled.output)")
            let plan = try Self.outcome(settled.output)
            #expect(plan["outcome"] as? String == "planned")
            #expect(plan["authority"] as? Int == leader, "the elected leader is the authority")
            let works = (plan["replicas"] as? [[String: Any]] ?? []).map { $0["work"] as? String }
            #expect(works.filter { $0 == "inSync" }.count == 2 && works.contains("authority"), "\(works)")
            // Each brick checksummed its journal (4,096 records per range by default): one range
            // from the first record to the last, the same on all three.
            let ranges = (try Self.document(settled.output)["reports"] as? [[String: Any]] ?? []).map { $0["rangeChecksums"] as? [[String: Any]] ?? [] }
            #expect(ranges.count == 3 && ranges.allSatisfy { $0.count == 1 && $0[0]["first"] as? Int == 1 }, "\(ranges)")
            let summaries = ranges.map { $0.map { "\($0["first"] ?? "")...\($0["last"] ?? ""):\($0["checksum"] ?? "")" } }
            #expect(Set(summaries).count == 1, "the replicas' checksums agree: \(summaries)")

            // A follower down while writes go on: the plan cannot speak for it.
            let follower = (leader + 1) % 3
            volume.kill(follower)
            for number in 5..<10 { try await volume.client.writeFile("/f\(number)", data: Array("file \(number)".utf8)) }
            let degraded = try Self.run(volume, ["--timeout", "1"])
            #expect(degraded.status == 3, "\(degraded.output)")
            let pending = try Self.outcome(degraded.output)
            let down = (pending["replicas"] as? [[String: Any]] ?? []).first { $0["replica"] as? Int == follower }
            #expect(down?["work"] as? String == "pending", "\(degraded.output)")
            let document = try Self.document(degraded.output)
            #expect((document["unreachable"] as? [[String: Any]])?.first?["replica"] as? Int == follower)

            // Restarted, it catches up from the leader's journal and the plan settles again.
            try volume.start(follower)
            let caughtUp = try await Self.recon(volume, until: { $0.status == 0 })
            #expect(caughtUp.status == 0, "\(caughtUp.output)")
            let reports = try Self.document(caughtUp.output)["reports"] as? [[String: Any]] ?? []
            let lasts = Set(reports.compactMap { ($0["last"] as? [String: Any])?["index"] as? Int })
            #expect(reports.count == 3 && lasts.count == 1, "\(caughtUp.output)")
        }
    }

    /// Positions move between the bricks' answers while writes go on; the plan must never call
    /// that a contradiction.
    @Test func aPlanTakenDuringWritesIsNeverInconsistent() async throws {
        try await ProcessVolume.with { volume in
            _ = try await volume.leader()
            let client = volume.client
            let writer = Task {
                var number = 0
                while !Task.isCancelled {
                    try await client.writeFile("/w\(number % 20)", data: Array(repeating: UInt8(number % 251), count: 4096))
                    number += 1
                }
            }
            defer { writer.cancel() }
            for _ in 0..<8 {
                let result = try Self.run(volume, ["--timeout", "2"])
                #expect(result.status == 0 || result.status == 3, "\(result.output)\(result.errors)")
                #expect(try Self.outcome(result.output)["outcome"] as? String == "planned", "\(result.output)")
            }
        }
    }

    /// Without --dry-run the leader plans every follower again and the command waits for the
    /// replicas to agree; a brick that stays down keeps it from agreeing, and says so.
    @Test func withoutDryRunTheLeaderCarriesThePlanOutAndTheCommandWaitsForAgreement() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            let follower = (leader + 2) % 3
            volume.kill(follower)
            for number in 0..<200 { try await volume.client.writeFile("/g\(number % 10)", data: Array(repeating: UInt8(number % 251), count: 2048)) }
            let blocked = try Self.run(volume, ["--timeout", "1", "--wait", "1"], dryRun: false)
            #expect(blocked.status == 3, "\(blocked.output)\(blocked.errors)")
            let down = (try Self.outcome(blocked.output)["replicas"] as? [[String: Any]] ?? []).first { $0["replica"] as? Int == follower }
            #expect(down?["work"] as? String == "pending", "\(blocked.output)")

            try volume.start(follower)
            let result = try Self.run(volume, ["--timeout", "2", "--wait", "30"], dryRun: false)
            #expect(result.status == 0, "\(result.output)\(result.errors)")
            let works = (try Self.outcome(result.output)["replicas"] as? [[String: Any]] ?? []).compactMap { $0["work"] as? String }
            #expect(works.sorted() == ["authority", "inSync", "inSync"], "\(result.output)")
            let reports = try Self.document(result.output)["reports"] as? [[String: Any]] ?? []
            let lasts = Set(reports.compactMap { ($0["last"] as? [String: Any])?["index"] as? Int })
            #expect(reports.count == 3 && lasts.count == 1, "\(result.output)")
        }
    }

    // MARK: Helpers

    /// Runs `recon --dry-run --json` until `done` holds (bounded), returning the last run.
    static func recon(_ volume: ProcessVolume, until done: ((status: Int32, output: String, errors: String)) -> Bool) async throws
        -> (status: Int32, output: String, errors: String)
    {
        var result = try run(volume, ["--timeout", "2"])
        let deadline = ContinuousClock.now + .seconds(20)
        while !done(result) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            result = try run(volume, ["--timeout", "2"])
        }
        return result
    }

    static func run(_ volume: ProcessVolume, _ arguments: [String], dryRun: Bool = true) throws -> (status: Int32, output: String, errors: String) {
        try volume.runTool("jbr-server", ["recon", "--volfile", volume.clientVolfile, "--json"] + (dryRun ? ["--dry-run"] : []) + arguments)
    }

    static func document(_ output: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
    }

    static func outcome(_ output: String) throws -> [String: Any] {
        try #require(try document(output)["outcome"] as? [String: Any], "\(output)")
    }
}
