import Foundation
import JBRCore
import Testing
@testable import Journal

/// Rotation leaves whatever did not fit at the end of the full segment: zeros in a fresh one,
/// an earlier use's bytes at any alignment in a recycled one, fewer bytes than a record header
/// or more. Recovery must take none of it for damage (the nemesis found a brick that could not
/// restart after its journal first rotated: "only 11 of 64 header bytes", record expected).
@Suite struct JournalRotationTailTests {
    static let segmentBytes = 64 << 10
    static let tails = [0, 1, 11, 63, 64, 65, 200, 700]

    @Test(arguments: tails) func aFreshSegmentsTailOfAnySizeIsNotDamage(tail: Int) async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: Self.segmentBytes)
        let journal = try Journal.open(configuration)
        var written: [JournalRecord] = []
        try await fillActiveSegment(journal, leaving: tail, written: &written)
        try await reopenKeepsEverything(journal, configuration: configuration, written: written, tail: tail)
    }

    @Test(arguments: tails) func aRecycledSegmentsTailOfAnySizeIsNotDamage(tail: Int) async throws {
        let directory = TemporaryDirectory()
        let configuration = journalConfiguration(directory, segmentBytes: Self.segmentBytes)
        let journal = try Journal.open(configuration)
        // Records of varied sizes, so what is left of them in a recycled segment lies at any
        // alignment; then the first segments trimmed and kept as spares.
        var generator = SplitMix64(seed: UInt64(tail))
        var written = (1...300).map { record(UInt64($0), size: Int.random(in: 40...1500, using: &generator)) }
        try await journal.append(written)
        _ = try journal.trim(before: JournalIndex(200))
        #expect(journal.preparer.recycling.kept >= 1)
        written = Array(written[199...])
        // Into the spares: several segments' worth, each ended with this tail.
        for _ in 0..<3 { try await fillActiveSegment(journal, leaving: tail, written: &written) }
        #expect(journal.statistics.reusedSegments >= 1)
        try await reopenKeepsEverything(journal, configuration: configuration, written: written, tail: tail)
    }

    /// Appends records that leave exactly `tail` bytes free in the active segment (rotating first
    /// if too little room is left to do that), then one that does not fit, which rotates.
    private func fillActiveSegment(_ journal: Journal, leaving tail: Int, written: inout [JournalRecord]) async throws {
        func append(body: Int) async throws {
            let next = record((written.last?.position.index.rawValue ?? 0) + 1, size: body)
            try await journal.append([next])
            written.append(next)
        }
        var left = Self.segmentBytes - tail - journal.locked { $0.segments.last!.endOffset }
        if left < 2 * RecordHeader.encodedSize {
            try await append(body: 1000)
            left = Self.segmentBytes - tail - journal.locked { $0.segments.last!.endOffset }
        }
        let filler = 1000 + RecordHeader.encodedSize
        while left > 2 * filler {
            try await append(body: 1000)
            left -= filler
        }
        let first = left / 2
        try await append(body: first - RecordHeader.encodedSize)
        try await append(body: left - first - RecordHeader.encodedSize)
        #expect(journal.locked { $0.segments.last!.endOffset } == Self.segmentBytes - tail)
        try await append(body: 1000)
    }

    private func reopenKeepsEverything(_ journal: Journal, configuration: JournalConfiguration, written: [JournalRecord], tail: Int) async throws {
        await journal.close()
        let reopened = try Journal.open(configuration)
        #expect(reopened.recoveryReport.repairedCorruption == nil && reopened.recoveryReport.tornTail == nil, "tail \(tail)")
        #expect(reopened.lastPosition == written.last!.position, "tail \(tail)")
        #expect(try reopened.records(from: written[0].position.index, through: written.last!.position.index) == written, "tail \(tail)")
        await reopened.close()
        // logdump agrees: every record, and no damage.
        var damage: [String] = []
        var shown: [JournalIndex] = []
        try JournalInspector.inspect(directory: configuration.directory) { item in
            switch item {
            case let .record(_, _, header, _): shown.append(header.position.index)
            case let .damage(segment, offset, reason, _): damage.append("\(segment) at \(offset): \(reason)")
            case .otherFile: break
            }
        }
        #expect(damage.isEmpty, "tail \(tail): \(damage)")
        // (A trim keeps whole segments: records before the first one kept may show too.)
        #expect(shown.filter { $0 >= written[0].position.index } == written.map(\.position.index), "tail \(tail)")
    }
}
