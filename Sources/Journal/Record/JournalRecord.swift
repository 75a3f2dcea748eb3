import JBRCore

/// One record as appenders give it and readers get it back: its position, its type and its
/// body, uncompressed. The journal never looks inside the body.
public struct JournalRecord: Hashable, Sendable, CustomStringConvertible {
    public var position: LogPosition
    public var type: RecordType
    public var body: [UInt8]

    public init(position: LogPosition, type: RecordType, body: [UInt8]) {
        self.position = position
        self.type = type
        self.body = body
    }

    public var description: String { "\(type)@\(position) \(body.count)B" }
}

/// A record body made ready for the journal: compressed if that saves space, checksummed.
///
/// Preparing is the expensive part of an append (lz4 and CRC over the body), so appenders do it
/// on their own threads, before they take their place in the journal's order.
public struct PreparedBody: Sendable {
    public let type: RecordType
    public let codec: RecordCodec
    public let stored: [UInt8]
    public let originalLength: Int
    public let checksum: UInt32

    /// Bodies shorter than this are stored raw: lz4 rarely wins on them and costs a call.
    public static let minimumCompressibleBytes = 64

    /// Precondition: `body` is at most `Journal.maxBodyBytes` (callers check limits first).
    public init(type: RecordType, body: [UInt8], compress: Bool = true) {
        precondition(body.count <= JournalLimits.maxBodyBytes, "record body of \(body.count) bytes over the limit")
        self.type = type
        self.originalLength = body.count
        if compress, body.count >= Self.minimumCompressibleBytes, let compressed = try? LZ4Block.compress(body) {
            self.codec = .lz4
            self.stored = compressed
        } else {
            self.codec = .raw
            self.stored = body
        }
        self.checksum = CRC32C.checksum(stored)
    }

    /// Header and body, as they go to disk.
    public func header(volumeID: VolumeID, position: LogPosition, batchFirstIndex: JournalIndex) -> RecordHeader {
        RecordHeader(
            type: type, codec: codec, storedLength: UInt32(stored.count), originalLength: UInt32(originalLength),
            bodyChecksum: checksum, volumeID: volumeID, position: position, batchFirstIndex: batchFirstIndex)
    }

    public var recordSize: Int { RecordHeader.encodedSize + stored.count }
}

/// Sizes the journal format allows.
public enum JournalLimits {
    /// The largest body: a 16 MiB write plus its operation's fields, with room to spare.
    public static let maxBodyBytes = (16 << 20) + (1 << 20)
    /// The largest stored record: lz4's worst case grows a body by 1/255 plus a little.
    public static let maxRecordBytes = RecordHeader.encodedSize + maxBodyBytes + maxBodyBytes / 255 + 16
}
