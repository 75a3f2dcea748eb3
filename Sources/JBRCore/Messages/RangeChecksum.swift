/// A checksum over the records `first ... last` of one journal, so two replicas can find where
/// they differ by exchanging a few numbers instead of records.
///
/// Ranges are aligned to a fixed size shared by the replica set (range k holds indexes
/// `k·size + 1 ... (k+1)·size`) and clipped to the records a replica still holds, so the
/// partial ranges at either end of a journal have other bounds than a full one and are never
/// compared with it.
public struct RangeChecksum: Hashable, Sendable {
    public var first: JournalIndex
    public var last: JournalIndex
    /// CRC32C over each record's (term u64, index u64, body checksum u32), little-endian, in
    /// index order. The record's own body checksum stands in for its bytes.
    public var checksum: UInt32

    public init(first: JournalIndex, last: JournalIndex, checksum: UInt32) {
        self.first = first
        self.last = last
        self.checksum = checksum
    }
}
