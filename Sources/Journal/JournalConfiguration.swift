import JBRCore

/// Everything a journal is told, with the trade-off of each limit (STYLE item 17).
public struct JournalConfiguration: Sendable {
    /// The brick's journal directory, `BRICK/.jbr/journal`.
    public var directory: String
    /// Every record carries it; records of another volume are refused.
    public var volumeID: VolumeID
    /// Bytes per segment before rotation. Larger means fewer files and rotations; smaller means
    /// trimming frees space in finer steps. A record larger than this gets a segment to itself.
    public var segmentBytes: Int = 64 << 20
    /// How segments are made ready before use (see `Preallocation`).
    public var preallocation: Preallocation = .zeroFill
    /// Bytes one write + `fdatasync` carries at most. Bounds the latency of the first appender
    /// of a batch and the size of a torn write; large enough that group commit amortises syncs.
    public var maxBatchBytes: Int = 8 << 20
    /// Bytes appended but not yet durable before `append` refuses with `backlogFull`. Bounds the
    /// memory a slow disk can make the brick hold.
    public var maxBacklogBytes: Int = 256 << 20
    /// Compress bodies with lz4 when that makes them smaller.
    public var compression: Bool = true
    /// The writer thread's nice value. Every appender waits on it, so it runs ahead of them;
    /// lowering it needs CAP_SYS_NICE (root), without which the writer keeps the default.
    public var writerNice: Int32 = -10
    /// Start even if the journal is damaged before its tail: cut it at the damage (losing what
    /// follows, to be fetched again from a peer) instead of refusing to start.
    public var repairCorruption: Bool = false

    public enum Preallocation: String, Sendable, CaseIterable {
        /// Segments are written full of zeros (in the background) before use, so an append
        /// overwrites allocated, written blocks and `fdatasync` has no metadata to flush.
        case zeroFill
        /// Segments grow as they are written: every sync also flushes the new file size.
        case none
    }

    public init(directory: String, volumeID: VolumeID) {
        self.directory = directory
        self.volumeID = volumeID
    }

    func validate() {
        precondition(segmentBytes >= 1 << 16, "segment size \(segmentBytes) below 64 KiB")
        precondition(maxBatchBytes >= 1 << 12, "batch size \(maxBatchBytes) below 4 KiB")
        precondition(maxBacklogBytes >= maxBatchBytes, "backlog limit below one batch")
    }
}
