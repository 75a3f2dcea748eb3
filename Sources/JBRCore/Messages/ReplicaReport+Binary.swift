import NIOCore

/// Layout (all little-endian): replica u32 | last term u64, index u64 | commit u64 | applied u64 |
/// first retained u64 | u32 count × (term u64, first u64, last u64) |
/// u32 count × (first u64, last u64, checksum u32). Structure only: the planner judges meaning.
extension ReplicaReport: BinaryCodable {
    /// Term ranges in one report: one per election the journal still describes.
    public static let maxTermRanges = 1 << 16
    /// Range checksums in one report: bounds the frame (20 bytes each).
    public static let maxRangeChecksums = 1 << 16

    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(replica)
        buffer.write(last)
        buffer.write(commitIndex)
        buffer.write(appliedThrough)
        buffer.write(firstRetained)
        buffer.writeArray(termRanges) { buffer, range in
            buffer.write(range.term)
            buffer.write(range.first)
            buffer.write(range.last)
        }
        buffer.writeArray(rangeChecksums) { buffer, range in
            buffer.write(range.first)
            buffer.write(range.last)
            buffer.writeLittleEndian(range.checksum)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let replica = try ReplicaID(from: &buffer)
        let last = try LogPosition(from: &buffer)
        let commitIndex = try JournalIndex(from: &buffer)
        let appliedThrough = try JournalIndex(from: &buffer)
        let firstRetained = try JournalIndex(from: &buffer)
        let termRanges = try buffer.readArray(limit: Self.maxTermRanges, field: "term ranges") { buffer throws(DecodingError) in
            TermRange(term: try Term(from: &buffer), first: try JournalIndex(from: &buffer), last: try JournalIndex(from: &buffer))
        }
        let rangeChecksums = try buffer.readArray(limit: Self.maxRangeChecksums, field: "range checksums") { buffer throws(DecodingError) in
            RangeChecksum(
                first: try JournalIndex(from: &buffer), last: try JournalIndex(from: &buffer),
                checksum: try buffer.readLittleEndian(UInt32.self, field: "range checksum"))
        }
        self.init(
            replica: replica, termRanges: termRanges, last: last, commitIndex: commitIndex, appliedThrough: appliedThrough,
            firstRetained: firstRetained, rangeChecksums: rangeChecksums)
    }
}
