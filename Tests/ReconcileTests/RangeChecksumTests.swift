import JBRCore
import Reconcile
import Testing

@Suite struct RangeChecksumTests {
    static func digests(_ terms: [UInt64], from first: UInt64) -> [RangeChecksum.RecordDigest] {
        terms.enumerated().map { offset, term in
            let index = first + UInt64(offset)
            return .init(position: LogPosition(term: Term(term), index: JournalIndex(index)), bodyChecksum: ModelReplica.bodyChecksum(term: term, index: index))
        }
    }

    @Test func rangesAreAlignedAndClippedToTheRecordsHeld() {
        let ranges = RangeChecksum.ranges(of: Self.digests([1, 1, 1, 2, 2, 2, 2], from: 3), rangeSize: 4)
        #expect(ranges.map { $0.first.rawValue...$0.last.rawValue } == [3...4, 5...8, 9...9])
    }

    @Test func theChecksumCoversTermIndexAndBodyChecksumLittleEndian() {
        let records = Self.digests([7, 7], from: 5)
        var bytes: [UInt8] = []
        for record in records {
            bytes += withUnsafeBytes(of: record.position.term.rawValue.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: record.position.index.rawValue.littleEndian, Array.init)
            bytes += withUnsafeBytes(of: record.bodyChecksum.littleEndian, Array.init)
        }
        #expect(bytes.count == 40)
        #expect(RangeChecksum.ranges(of: records, rangeSize: 8) == [RangeChecksum(first: JournalIndex(5), last: JournalIndex(6), checksum: CRC32C.checksum(bytes))])
    }

    struct DifferenceCase: Sendable, CustomTestStringConvertible {
        var name: String
        var one: (terms: [UInt64], first: UInt64)
        var other: (terms: [UInt64], first: UInt64)
        var expected: ClosedRange<UInt64>?
        var testDescription: String { name }
    }

    static let differences: [DifferenceCase] = [
        DifferenceCase(name: "identical", one: ([1, 1, 2, 2, 2], 1), other: ([1, 1, 2, 2, 2], 1), expected: nil),
        DifferenceCase(name: "differ in the second range", one: ([1, 1, 1, 2, 2, 2], 1), other: ([1, 1, 1, 3, 3, 3], 1), expected: 4...6),
        DifferenceCase(name: "differ in the first range", one: ([1, 2, 2], 1), other: ([1, 3, 3], 1), expected: 1...3),
        DifferenceCase(name: "a shorter tail is not compared", one: ([1, 1, 1, 2, 2], 1), other: ([1, 1, 1, 3, 3, 3], 1), expected: nil),
        DifferenceCase(name: "a trimmed head is not compared", one: ([1, 2, 2, 2, 2], 2), other: ([1, 1, 2, 2, 2, 2], 1), expected: nil),
        DifferenceCase(name: "after a trimmed head", one: ([1, 2, 2, 2, 4, 4], 2), other: ([1, 1, 2, 2, 2, 3, 3], 1), expected: 4...6),
        DifferenceCase(name: "one side empty", one: ([], 1), other: ([1, 1, 1], 1), expected: nil),
    ]

    @Test(arguments: differences)
    func firstDifference(_ testCase: DifferenceCase) {
        let one = RangeChecksum.ranges(of: Self.digests(testCase.one.terms, from: testCase.one.first), rangeSize: 3)
        let other = RangeChecksum.ranges(of: Self.digests(testCase.other.terms, from: testCase.other.first), rangeSize: 3)
        let found = RangeChecksum.firstDifference(one, other).map { $0.lowerBound.rawValue...$0.upperBound.rawValue }
        #expect(found == testCase.expected)
        #expect(RangeChecksum.firstDifference(other, one).map { $0.lowerBound.rawValue...$0.upperBound.rawValue } == testCase.expected)
    }
}

/// Which records a brick checksums for a `recon` request.
@Suite struct ReconReportRequestTests {
    @Test(arguments: [
        // (rangeSize, first, last, expected span or nil)
        (UInt64(0), UInt64(1), UInt64(100), nil as ClosedRange<UInt64>?),
        (4096, 1, 0, nil),
        (4096, 1, 100, 1...100),
        (10, 35, 100, 35...100),
        // Over the record limit: the newest, widened down to a range boundary.
        (1000, 1, 3_000_000, 1_951_001...3_000_000),
        (1000, 2_500_000, 3_000_000, 2_500_000...3_000_000),
    ])
    func spanCoversTheNewestRecordsFromARangeBoundary(_ size: UInt64, _ first: UInt64, _ last: UInt64, _ expected: ClosedRange<UInt64>?) {
        let span = ReconReportRequest(rangeSize: size).span(first: JournalIndex(first), last: JournalIndex(last))
        #expect(span.map { $0.lowerBound.rawValue...$0.upperBound.rawValue } == expected)
        if let span {
            #expect(span.upperBound.rawValue - span.lowerBound.rawValue + 1 <= ReconReportRequest.maxRecords + size)
        }
    }

    @Test func theRequestRoundTrips() throws {
        let request = ReconReportRequest(rangeSize: 4096)
        #expect(try BinaryCodec.decode(ReconReportRequest.self, from: BinaryCodec.encode(request)) == request)
    }
}
