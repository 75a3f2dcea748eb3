import NIOCore
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

/// A record made ready for the journal: one buffer holding room for its header and the body as
/// stored (lz4-compressed in place if that saves space), checksummed.
///
/// Preparing is the expensive part of an append (lz4, the copy, the CRC), so appenders do it on
/// their own threads, before they take their place in the journal's order. The writer then only
/// fills in the 64 header bytes and hands the buffers to one `pwritev`: no copy on its thread.
public struct PreparedBody: Sendable {
    public let type: RecordType
    public let codec: RecordCodec
    public let originalLength: Int
    public let checksum: UInt32
    /// Header room, then the stored body.
    let buffer: RecordBuffer

    /// Bodies shorter than this are stored raw: lz4 rarely wins on them and costs a call.
    public static let minimumCompressibleBytes = 64

    /// Precondition: `body` is at most `JournalLimits.maxBodyBytes` (callers check limits first).
    public init(type: RecordType, body: [UInt8], compress: Bool = true) {
        self = body.withUnsafeBytes { PreparedBody(type: type, bytes: $0, compress: compress) }
    }

    /// The same from a buffer's readable bytes, without an intermediate array.
    public init(type: RecordType, body: ByteBuffer, compress: Bool = true) {
        self = body.withUnsafeReadableBytes { PreparedBody(type: type, bytes: $0, compress: compress) }
    }

    private init(type: RecordType, bytes source: UnsafeRawBufferPointer, compress: Bool) {
        precondition(source.count <= JournalLimits.maxBodyBytes, "record body of \(source.count) bytes over the limit")
        self.type = type
        self.originalLength = source.count
        let buffer = RecordBuffer(capacity: RecordHeader.encodedSize + source.count)
        let room = UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[RecordHeader.encodedSize...])
        // Compressed output must be smaller than the body, or it is stored raw.
        let compressed = compress && source.count >= Self.minimumCompressibleBytes && Self.sampleCompresses(source, scratch: room)
            ? LZ4Block.compress(source, into: UnsafeMutableRawBufferPointer(rebasing: room[..<(source.count - 1)])) : nil
        if let compressed {
            self.codec = .lz4
            buffer.count = RecordHeader.encodedSize + compressed
        } else {
            self.codec = .raw
            if !source.isEmpty { room.copyMemory(from: source) }
            buffer.count = RecordHeader.encodedSize + source.count
        }
        self.buffer = buffer
        self.checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer.bytes[RecordHeader.encodedSize..<buffer.count]))
    }

    /// Bodies at least this long are sampled before they are compressed whole.
    static let sampledBodyBytes = 32 << 10
    static let sampleBytes = 4 << 10

    /// Whether lz4 is worth running on `body`: for a large body, whether its first 4 KiB shrink
    /// by at least an eighth. Already-compressed or encrypted data (most large writes that do not
    /// shrink) then costs a 4 KiB attempt instead of a whole one; the profile of incompressible
    /// 64 KiB appends showed lz4 at an eighth of the journal's CPU.
    static func sampleCompresses(_ body: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer) -> Bool {
        guard body.count >= sampledBodyBytes else { return true }
        let sample = UnsafeRawBufferPointer(rebasing: body[..<sampleBytes])
        return LZ4Block.compress(sample, into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<(sampleBytes * 7 / 8)])) != nil
    }

    /// The header this body gets at `position`.
    public func header(volumeID: VolumeID, position: LogPosition, batchFirstIndex: JournalIndex) -> RecordHeader {
        RecordHeader(
            type: type, codec: codec, storedLength: UInt32(storedLength), originalLength: UInt32(originalLength),
            bodyChecksum: checksum, volumeID: volumeID, position: position, batchFirstIndex: batchFirstIndex)
    }

    public var storedLength: Int { buffer.count - RecordHeader.encodedSize }
    public var recordSize: Int { buffer.count }

    /// The body as stored (for tests and tools).
    public var stored: [UInt8] { Array(buffer.bytes[RecordHeader.encodedSize..<buffer.count]) }
}

/// The memory of one prepared record. Written by its preparer, then (header only) by the
/// writer thread, which owns the record once it is appended; never by two threads at once.
final class RecordBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    /// Bytes in use: header plus stored body.
    var count = 0

    init(capacity: Int) {
        bytes = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { bytes.deallocate() }
}

/// Sizes the journal format allows.
public enum JournalLimits {
    /// The largest body: a 16 MiB write plus its operation's fields, with room to spare.
    public static let maxBodyBytes = (16 << 20) + (1 << 20)
    /// The largest stored record: lz4's worst case grows a body by 1/255 plus a little.
    public static let maxRecordBytes = RecordHeader.encodedSize + maxBodyBytes + maxBodyBytes / 255 + 16
}
