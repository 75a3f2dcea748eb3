import JBRCore
import NIOCore

/// One message on a Wire connection: a type, a request id and an opaque body.
///
/// Request ids pair replies with requests. 0 means "no request" (handshake messages,
/// connection-level errors, keepalive pings); the side that dialed numbers its requests with
/// odd ids and the side that accepted with even ids, so both can call each other on one
/// connection without collisions (see `ConnectionSide`).
public struct Frame: Hashable, Sendable, CustomStringConvertible {
    public var type: MessageType
    public var requestID: UInt64
    public var body: ByteBuffer

    public init(type: MessageType, requestID: UInt64, body: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.requestID = requestID
        self.body = body
    }

    /// Never prints the body: frames carry file contents (STYLE item 23).
    public var description: String { "\(type)#\(requestID) (\(body.readableBytes) bytes)" }
}

/// The fixed 28-byte little-endian header in front of every frame body (format version 1).
///
/// ```
///  0 magic u32 ("JBRF")   4 version u8   5 type u8   6 flags u16 (0 in v1)
///  8 request id u64      16 body length u32
/// 20 body checksum u32 (CRC32C of the body)
/// 24 header checksum u32 (CRC32C of bytes 0..<24)
/// ```
/// Two checksums, as TigerBeetle's message header: the header one lets a receiver trust the
/// length before it buffers the body; the body one catches damage in the payload.
struct FrameHeader: Hashable {
    static let size = 28
    /// "JBRF" read as a little-endian u32.
    static let magic: UInt32 = 0x4652_424A
    static let magicBytes: [UInt8] = Array("JBRF".utf8)
    static let version: UInt8 = 1

    static let versionOffset = 4
    static let checkedBytes = 24

    var type: MessageType
    var flags: UInt16 = 0
    var requestID: UInt64
    var bodyLength: UInt32
    var bodyChecksum: UInt32

    init(type: MessageType, flags: UInt16 = 0, requestID: UInt64, bodyLength: UInt32, bodyChecksum: UInt32) {
        self.type = type
        self.flags = flags
        self.requestID = requestID
        self.bodyLength = bodyLength
        self.bodyChecksum = bodyChecksum
    }

    init(describing frame: Frame) {
        precondition(frame.body.readableBytes <= UInt32.max, "frame body of \(frame.body.readableBytes) bytes does not fit a u32 length")
        self.init(
            type: frame.type,
            requestID: frame.requestID,
            bodyLength: UInt32(frame.body.readableBytes),
            bodyChecksum: FrameHeader.checksum(of: frame.body)
        )
    }

    /// Appends the 28 header bytes, header checksum included.
    func write(to buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeLittleEndian(FrameHeader.magic)
        buffer.writeLittleEndian(FrameHeader.version)
        buffer.writeLittleEndian(type.rawValue)
        buffer.writeLittleEndian(flags)
        buffer.writeLittleEndian(requestID)
        buffer.writeLittleEndian(bodyLength)
        buffer.writeLittleEndian(bodyChecksum)
        let headerChecksum = buffer.withUnsafeReadableBytes { bytes in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[(start - buffer.readerIndex)...]))
        }
        buffer.writeLittleEndian(headerChecksum)
        assert(buffer.writerIndex - start == FrameHeader.size)
    }

    /// Parses and checks a complete header at the reader index of `bytes`, without moving it.
    ///
    /// The caller has already checked magic and version (they are checked as soon as their bytes
    /// arrive). Order: header checksum first (so a damaged length is never trusted), then flags,
    /// type, and the body length against `maxBodyBytes`.
    static func parse(_ bytes: ByteBuffer, maxBodyBytes: Int) throws(JBRError) -> FrameHeader {
        precondition(bytes.readableBytes >= size, "parse needs a whole header")
        let base = bytes.readerIndex
        func field<Integer: FixedWidthInteger>(_ offset: Int, _: Integer.Type) -> Integer {
            bytes.getInteger(at: base + offset, endianness: .little, as: Integer.self)!
        }
        let computed = bytes.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<checkedBytes])) }
        let stored = field(24, UInt32.self)
        guard computed == stored else {
            throw JBRError(.protocolViolation, "bad frame header checksum: stored \(hex(stored)), computed \(hex(computed))")
        }
        let header = FrameHeader(
            type: MessageType(rawValue: field(5, UInt8.self)),
            flags: field(6, UInt16.self),
            requestID: field(8, UInt64.self),
            bodyLength: field(16, UInt32.self),
            bodyChecksum: field(20, UInt32.self)
        )
        guard header.flags == 0 else {
            throw JBRError(.protocolViolation, "frame flags \(hex(UInt32(header.flags))) set; version 1 defines none")
        }
        guard header.type.rawValue != 0 else {
            throw JBRError(.protocolViolation, "message type 0 is not defined")
        }
        guard Int(header.bodyLength) <= maxBodyBytes else {
            throw JBRError(.frameTooLarge, "frame body of \(header.bodyLength) bytes is over the limit of \(maxBodyBytes) bytes")
        }
        return header
    }

    static func checksum(of body: ByteBuffer) -> UInt32 {
        body.withUnsafeReadableBytes { CRC32C.checksum($0) }
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}
