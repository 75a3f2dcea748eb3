import JBRCore
import NIOCore
import Reconcile
import Testing

@Suite struct ReplicaReportCodecTests {
    static let sample = ReplicaReport(
        replica: ReplicaID(1),
        termRanges: [
            .init(term: Term(1), first: JournalIndex(1), last: JournalIndex(2)),
            .init(term: Term(2), first: JournalIndex(3), last: JournalIndex(4)),
        ],
        last: LogPosition(term: Term(2), index: JournalIndex(4)), commitIndex: JournalIndex(3), appliedThrough: JournalIndex(2),
        firstRetained: JournalIndex(1), rangeChecksums: [RangeChecksum(first: JournalIndex(1), last: JournalIndex(2), checksum: 0xAABB_CCDD)])

    /// If this fails the report's layout changed: that needs a new format version, not a new string.
    @Test func layoutIsFrozen() {
        let golden = "01" + "01000000" + "0200000000000000" + "0400000000000000" + "0300000000000000" + "0200000000000000"
            + "0100000000000000" + "02000000" + "0100000000000000" + "0100000000000000" + "0200000000000000"
            + "0200000000000000" + "0300000000000000" + "0400000000000000" + "01000000" + "0100000000000000"
            + "0200000000000000" + "ddccbbaa"
        #expect(hex(BinaryCodec.encode(Self.sample)) == golden)
    }

    @Test(arguments: [UInt64(1), 2, 3, 0xFEED])
    func randomReportsRoundTrip(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<200 {
            let report = Self.randomReport(&random)
            let encoded = BinaryCodec.encode(report)
            #expect(try BinaryCodec.decode(ReplicaReport.self, from: encoded) == report)
            // No proper prefix decodes: every field is required.
            let cut = Int.random(in: 0..<encoded.readableBytes, using: &random)
            #expect(throws: DecodingError.self) { try BinaryCodec.decode(ReplicaReport.self, from: encoded.getSlice(at: 0, length: cut)!) }
        }
    }

    @Test func planningSurvivesTheWire() throws {
        let journals = [journal(0, "11 22", commit: 2, checksums: 2), journal(1, "11 333", commit: 2, checksums: 2), journal(2, "11 3", commit: 2)]
        let decoded = try journals.map { try BinaryCodec.decode(ReplicaReport.self, from: BinaryCodec.encode($0.report)) }
        #expect(ReconciliationPlanner.plan(replicaCount: 3, reports: decoded) == ReconciliationPlanner.plan(replicaCount: 3, reports: journals.map(\.report)))
    }

    @Test func aHostileCountIsRefusedBeforeAllocating() {
        var buffer = ByteBuffer()
        buffer.writeInteger(BinaryCodec.formatVersion)
        buffer.write(ReplicaID(0))
        buffer.write(LogPosition.zero)
        for _ in 0..<3 { buffer.write(JournalIndex.zero) }
        buffer.writeLittleEndian(UInt32.max)  // term range count
        #expect(throws: DecodingError.self) { try BinaryCodec.decode(ReplicaReport.self, from: buffer) }
    }

    private static func randomReport(_ random: inout SplitMix64) -> ReplicaReport {
        func index() -> JournalIndex { JournalIndex(UInt64.random(in: 0...1_000_000, using: &random)) }
        let ranges = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            ReplicaReport.TermRange(term: Term(random.next()), first: index(), last: index())
        }
        let checksums = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            RangeChecksum(first: index(), last: index(), checksum: UInt32(truncatingIfNeeded: random.next()))
        }
        return ReplicaReport(
            replica: ReplicaID(UInt32(truncatingIfNeeded: random.next())), termRanges: ranges,
            last: LogPosition(term: Term(random.next()), index: index()), commitIndex: index(), appliedThrough: index(),
            firstRetained: index(), rangeChecksums: checksums)
    }
}

func hex(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
