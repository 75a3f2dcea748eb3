import JBRCore
import NIOCore

/// What `recon` asks a brick for: its `ReplicaReport`, with range checksums over its newest
/// durable records when `rangeSize` is not zero.
public struct ReconReportRequest: Hashable, Sendable, BinaryCodable {
    /// Records per checksummed range (aligned: range k holds `k·size + 1 ... (k+1)·size`);
    /// zero asks for no checksums.
    public var rangeSize: UInt64

    /// A brick checksums at most this many of its newest records, so one request stays cheap
    /// whatever the retention (the divergence that matters is near the end).
    public static let maxRecords: UInt64 = 1 << 20

    public init(rangeSize: UInt64) { self.rangeSize = rangeSize }

    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(rangeSize)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        rangeSize = try buffer.readLittleEndian(UInt64.self, field: "range size")
    }

    /// The records to checksum for a journal holding `first...last`: the newest `maxRecords`,
    /// widened down to a range boundary so the first range is whole (comparable with others').
    public func span(first: JournalIndex, last: JournalIndex) -> ClosedRange<JournalIndex>? {
        guard rangeSize > 0, last >= first, last > .zero else { return nil }
        let newest = last.rawValue >= Self.maxRecords ? last.rawValue - Self.maxRecords + 1 : 1
        let aligned = (newest - 1) / rangeSize * rangeSize + 1
        return JournalIndex(max(first.rawValue, aligned))...last
    }
}
