import JBRCore

extension RangeChecksum {
    /// What a record contributes to a range checksum.
    public struct RecordDigest: Hashable, Sendable {
        public var position: LogPosition
        /// The journal record's body checksum (CRC32C of the stored body).
        public var bodyChecksum: UInt32

        public init(position: LogPosition, bodyChecksum: UInt32) {
            self.position = position
            self.bodyChecksum = bodyChecksum
        }
    }

    /// The aligned range checksums of contiguous records. Precondition: `records` are in index
    /// order without gaps, and `rangeSize` ≥ 1.
    public static func ranges(of records: [RecordDigest], rangeSize: UInt64) -> [RangeChecksum] {
        precondition(rangeSize >= 1, "range size must be at least 1")
        var result: [RangeChecksum] = []
        var digest: [UInt8] = []
        digest.reserveCapacity(20)
        for (offset, record) in records.enumerated() {
            let index = record.position.index
            precondition(offset == 0 || index == records[offset - 1].position.index.next, "records not contiguous at \(index)")
            let alignedStart = (index.rawValue - 1) / rangeSize * rangeSize + 1
            if offset == 0 || index.rawValue == alignedStart {
                result.append(RangeChecksum(first: index, last: index, checksum: 0))
            }
            // Each record continues its range's checksum: no range's bytes are summed twice.
            digest.removeAll(keepingCapacity: true)
            appendDigest(record, to: &digest)
            result[result.count - 1].last = index
            result[result.count - 1].checksum = CRC32C.checksum(digest, continuing: result[result.count - 1].checksum)
        }
        return result
    }

    private static func appendDigest(_ record: RecordDigest, to bytes: inout [UInt8]) {
        func put<Integer: FixedWidthInteger>(_ value: Integer) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        put(record.position.term.rawValue)
        put(record.position.index.rawValue)
        put(record.bodyChecksum)
    }

    /// The first range both lists cover with the same bounds whose checksums differ, or nil if
    /// every such range agrees. Ranges only one side has, or with other bounds (a journal's
    /// trimmed head or partial tail), cannot be compared and are skipped.
    public static func firstDifference(_ one: [RangeChecksum], _ other: [RangeChecksum]) -> ClosedRange<JournalIndex>? {
        comparablePairs(one, other).first { $0.0.checksum != $0.1.checksum }.map { $0.0.first...$0.0.last }
    }

    /// The ranges both lists cover with the same bounds, in index order.
    static func comparablePairs(_ one: [RangeChecksum], _ other: [RangeChecksum]) -> [(RangeChecksum, RangeChecksum)] {
        let byFirst = Dictionary(other.map { ($0.first, $0) }, uniquingKeysWith: { first, _ in first })
        return one.compactMap { range in
            guard let match = byFirst[range.first], match.last == range.last else { return nil }
            return (range, match)
        }
    }
}
