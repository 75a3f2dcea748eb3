import Foundation
import JBRClient
import JBRCore
import Testing
@testable import Journal
@testable import JBRServer

/// Bricks trim their journals behind the store's checkpoint, keeping the configured retention,
/// and reuse the trimmed segments; restarted bricks come back from a trimmed journal.
@Suite(.serialized)
struct JournalRetentionProcessTests {
    static let segmentBytes = 1 << 20
    static let retentionBytes = 2 << 20

    /// The first index of each segment file in a brick's journal, in order.
    func segmentStarts(_ volume: ProcessVolume, brick: Int) throws -> [UInt64] {
        try FileManager.default.contentsOfDirectory(atPath: volume.brickPath(brick) + "/.jbr/journal")
            .compactMap { SegmentName.firstIndex(of: $0)?.rawValue }.sorted()
    }

    @Test func bricksKeepTheRetainedJournalAndServeEverythingAfterARestart() async throws {
        try await ProcessVolume.with(brickOptions: ["segment-size": "1MB", "retention-bytes": "2MB"]) { volume in
            let leader = try await volume.leader()
            // 12 MiB of writes: six times the retention.
            var written: [String: [UInt8]] = [:]
            for number in 0..<48 {
                // Random, so lz4 leaves the journal as large as the writes.
                var generator = SplitMix64(seed: UInt64(number))
                let data = (0..<(32 << 10)).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
                try await volume.client.writeFile("/f\(number)", data: data)
                written["/f\(number)"] = data
            }
            // Checkpoints come a second apart and happen on apply: one more write after it.
            try await Task.sleep(for: .milliseconds(1500))
            try await volume.client.writeFile("/last", data: Array("last".utf8))
            written["/last"] = Array("last".utf8)

            let deadline = ContinuousClock.now + .seconds(20)
            var starts: [[UInt64]] = []
            repeat {
                try await Task.sleep(for: .milliseconds(200))
                starts = try (0..<3).map { try segmentStarts(volume, brick: $0) }
            } while starts.contains(where: { ($0.first ?? 1) == 1 }) && ContinuousClock.now < deadline
            for (brick, segments) in starts.enumerated() {
                #expect((segments.first ?? 1) > 1, "brick \(brick + 1) trimmed its journal: \(segments)")
                // Retention plus the active segment and the one being filled, at most.
                #expect(segments.count <= Self.retentionBytes / Self.segmentBytes + 2, "brick \(brick + 1) keeps about the retention: \(segments)")
            }

            // Every brick comes back from its trimmed journal, and everything reads back.
            volume.kill(leader)
            try volume.start(leader)
            for number in [0, 1, 2].filter({ $0 != leader }) {
                volume.kill(number)
                try volume.start(number)
            }
            _ = try await volume.leader()
            for (path, data) in written {
                #expect(try await volume.client.readFile(path) == data, "\(path) reads back")
            }
        }
    }
}
