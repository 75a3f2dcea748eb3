import JBRCore

/// The fixed 64-byte, little-endian header in front of every record (format version 1).
///
/// Two checksums (TigerBeetle's layout, STYLE item 7): the header checksum covers bytes 4..<64,
/// so a header can be trusted before its body is read; the body checksum covers the body as
/// stored (compressed or not), so damage is found without decompressing.
///
/// ```
///  0 header checksum u32   CRC32C of bytes 4..<64
///  4 magic u32             "JBRJ"
///  8 version u8            1
///  9 record type u8
/// 10 codec u8
/// 11 flags u8              0
/// 12 stored body length u32
/// 16 original body length u32
/// 20 body checksum u32     CRC32C of the stored body
/// 24 volume id             16 bytes
/// 40 term u64
/// 48 index u64
/// 56 batch first index u64 index of the first record of the write batch this one was in
/// ```
///
/// `batchFirstIndex` lets recovery tell a torn write from damage: a write batch is made durable
/// by one `fdatasync` before the next batch is written, so damage followed only by records of
/// the same batch is an unacknowledged torn tail, while damage followed by a record of a later
/// batch is corruption of data that had been synced.
public struct RecordHeader: Hashable, Sendable {
    public static let encodedSize = 64
    public static let version: UInt8 = 1
    /// "JBRJ" as a little-endian u32.
    static let magic: UInt32 = 0x4A52_424A

    public var type: RecordType
    public var codec: RecordCodec
    public var storedLength: UInt32
    public var originalLength: UInt32
    public var bodyChecksum: UInt32
    public var volumeID: VolumeID
    public var position: LogPosition
    public var batchFirstIndex: JournalIndex

    public init(
        type: RecordType, codec: RecordCodec, storedLength: UInt32, originalLength: UInt32, bodyChecksum: UInt32,
        volumeID: VolumeID, position: LogPosition, batchFirstIndex: JournalIndex
    ) {
        self.type = type
        self.codec = codec
        self.storedLength = storedLength
        self.originalLength = originalLength
        self.bodyChecksum = bodyChecksum
        self.volumeID = volumeID
        self.position = position
        self.batchFirstIndex = batchFirstIndex
    }

    /// Writes the 64 bytes at `destination`, header checksum included.
    public func write(to destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count >= Self.encodedSize, "header needs \(Self.encodedSize) bytes")
        precondition(position.index > .zero && position.term > .zero, "records start at index 1 and term 1, got \(position)")
        precondition(batchFirstIndex > .zero && batchFirstIndex <= position.index, "batch start \(batchFirstIndex) after record \(position)")
        destination.storeBytes(of: Self.magic.littleEndian, toByteOffset: 4, as: UInt32.self)
        destination[8] = Self.version
        destination[9] = type.rawValue
        destination[10] = codec.rawValue
        destination[11] = 0
        destination.storeBytes(of: storedLength.littleEndian, toByteOffset: 12, as: UInt32.self)
        destination.storeBytes(of: originalLength.littleEndian, toByteOffset: 16, as: UInt32.self)
        destination.storeBytes(of: bodyChecksum.littleEndian, toByteOffset: 20, as: UInt32.self)
        for (offset, byte) in volumeID.bytes.enumerated() { destination[24 + offset] = byte }
        destination.storeBytes(of: position.term.rawValue.littleEndian, toByteOffset: 40, as: UInt64.self)
        destination.storeBytes(of: position.index.rawValue.littleEndian, toByteOffset: 48, as: UInt64.self)
        destination.storeBytes(of: batchFirstIndex.rawValue.littleEndian, toByteOffset: 56, as: UInt64.self)
        let checksum = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: destination[4..<Self.encodedSize]))
        destination.storeBytes(of: checksum.littleEndian, toByteOffset: 0, as: UInt32.self)
    }

    public var bytes: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Self.encodedSize)
        bytes.withUnsafeMutableBytes { write(to: $0) }
        return bytes
    }

    /// What reading 64 bytes as a header found.
    public enum Parse: Hashable, Sendable {
        case valid(RecordHeader)
        /// Every byte is zero: preallocated space never written, the clean end of a segment.
        case zeroed
        /// Anything else: a torn write or damage. `reason` says which check failed.
        case invalid(reason: String)
    }

    /// Parses and fully validates a header. Never traps.
    public static func parse(_ source: UnsafeRawBufferPointer) -> Parse {
        guard source.count >= encodedSize else { return .invalid(reason: "only \(source.count) of \(encodedSize) header bytes") }
        let header = UnsafeRawBufferPointer(rebasing: source[0..<encodedSize])
        if header.allSatisfy({ $0 == 0 }) { return .zeroed }
        let stored = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        guard stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[4..<encodedSize])) else {
            return .invalid(reason: "header checksum mismatch")
        }
        // The checksum matched, so the remaining checks find only headers written by a
        // different (newer or buggy) writer, never random damage.
        guard UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == magic else {
            return .invalid(reason: "bad magic")
        }
        guard header[8] == version else { return .invalid(reason: "unsupported record version \(header[8])") }
        guard let type = RecordType(rawValue: header[9]) else { return .invalid(reason: "unknown record type \(header[9])") }
        guard let codec = RecordCodec(rawValue: header[10]) else { return .invalid(reason: "unknown codec \(header[10])") }
        guard header[11] == 0 else { return .invalid(reason: "reserved flags set") }
        let storedLength = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let originalLength = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        if codec == .raw, storedLength != originalLength { return .invalid(reason: "raw body with two lengths") }
        let term = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 40, as: UInt64.self))
        let index = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 48, as: UInt64.self))
        let batchFirst = UInt64(littleEndian: header.loadUnaligned(fromByteOffset: 56, as: UInt64.self))
        guard term > 0, index > 0 else { return .invalid(reason: "zero term or index") }
        guard batchFirst > 0, batchFirst <= index else { return .invalid(reason: "batch start \(batchFirst) after index \(index)") }
        return .valid(RecordHeader(
            type: type, codec: codec, storedLength: storedLength, originalLength: originalLength,
            bodyChecksum: UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 20, as: UInt32.self)),
            volumeID: VolumeID(bytes: Array(header[24..<40])),
            position: LogPosition(term: Term(term), index: JournalIndex(index)),
            batchFirstIndex: JournalIndex(batchFirst)))
    }

    /// Header plus stored body.
    public var recordSize: Int { Self.encodedSize + Int(storedLength) }

    /// The first header after `offset` whose checksum holds: where a scan past damage picks up.
    /// Candidates are found by their magic, so only a few are checksummed.
    public static func nextValid(in bytes: UnsafeRawBufferPointer, after offset: Int) -> (offset: Int, header: RecordHeader)? {
        var candidate = offset + 1
        while candidate + encodedSize <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: candidate + 4, as: UInt32.self) == magic.littleEndian,
                case let .valid(header) = parse(UnsafeRawBufferPointer(rebasing: bytes[candidate...]))
            {
                return (candidate, header)
            }
            candidate += 1
        }
        return nil
    }
}
