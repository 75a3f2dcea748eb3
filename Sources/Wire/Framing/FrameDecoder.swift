import JBRCore
import NIOCore

/// The largest frame body a connection accepts right now.
///
/// Shared by one connection's decoder and handshake handler, on the connection's event loop only.
/// The handshake handler raises it from the small pre-authentication limit to the configured one
/// when the peer has proved the volume secret, so a stranger can make a connection buffer a few
/// KiB at most, never 16 MiB.
final class FrameBodyLimit {
    var maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        precondition(maxBodyBytes >= 0 && maxBodyBytes <= UInt32.max, "body limit \(maxBodyBytes) out of range")
        self.maxBodyBytes = maxBodyBytes
    }
}

@available(*, unavailable)
extension FrameBodyLimit: Sendable {}

/// Cuts the byte stream into `Frame`s and rejects anything that is not one.
///
/// Every check fails as early as the bytes allow, so a stranger or a broken peer costs little:
/// the magic as soon as its bytes arrive (byte by byte), the version at byte 4, then — once the
/// 28 header bytes are in — the header checksum, flags, type and the body length against the
/// limit, before any of the body is buffered; last the body checksum. Each rejection throws a
/// `JBRError` (`.protocolViolation`, `.unsupportedVersion`, `.frameTooLarge`); the error
/// reporting handler sends it to the peer and closes the connection. Never traps on input.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    private let limit: FrameBodyLimit

    init(maxBodyBytes: Int) {
        self.limit = FrameBodyLimit(maxBodyBytes: maxBodyBytes)
    }

    init(limit: FrameBodyLimit) {
        self.limit = limit
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try FrameDecoder.decodeFrame(from: &buffer, maxBodyBytes: limit.maxBodyBytes) else {
            return .needMoreData
        }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if try decode(context: context, buffer: &buffer) == .continue { return .continue }
        if seenEOF && buffer.readableBytes > 0 {
            throw JBRError(.protocolViolation, "connection ended inside a frame (\(buffer.readableBytes) bytes of it received)")
        }
        return .needMoreData
    }

    /// Takes one frame off the front of `buffer`, or returns nil (consuming nothing) when more
    /// bytes are needed. Throws on the first byte that proves the input is not a valid frame.
    static func decodeFrame(from buffer: inout ByteBuffer, maxBodyBytes: Int) throws(JBRError) -> Frame? {
        try checkPrefix(buffer)
        guard buffer.readableBytes >= FrameHeader.size else { return nil }
        let header = try FrameHeader.parse(buffer, maxBodyBytes: maxBodyBytes)
        let bodyLength = Int(header.bodyLength)
        guard buffer.readableBytes >= FrameHeader.size + bodyLength else { return nil }

        buffer.moveReaderIndex(forwardBy: FrameHeader.size)
        let body = buffer.readSlice(length: bodyLength)!
        let computed = FrameHeader.checksum(of: body)
        guard computed == header.bodyChecksum else {
            throw JBRError(
                .protocolViolation,
                "bad \(header.type) frame body checksum: stored \(FrameHeader.hex(header.bodyChecksum)), computed \(FrameHeader.hex(computed))"
            )
        }
        return Frame(type: header.type, requestID: header.requestID, body: body)
    }

    /// Checks the magic and version bytes that have arrived so far, without waiting for more.
    private static func checkPrefix(_ buffer: ByteBuffer) throws(JBRError) {
        let available = min(buffer.readableBytes, FrameHeader.versionOffset + 1)
        guard available > 0 else { return }
        let prefix = buffer.getBytes(at: buffer.readerIndex, length: available)!
        for (index, byte) in prefix.prefix(FrameHeader.magicBytes.count).enumerated() where byte != FrameHeader.magicBytes[index] {
            throw JBRError(.protocolViolation, "bad frame magic byte \(byte) at offset \(index): not a JBR Wire connection")
        }
        if available > FrameHeader.versionOffset, prefix[FrameHeader.versionOffset] != FrameHeader.version {
            throw JBRError(
                .unsupportedVersion,
                "frame format version \(prefix[FrameHeader.versionOffset]); this build speaks version \(FrameHeader.version)"
            )
        }
    }
}

@available(*, unavailable)
extension FrameDecoder: Sendable {}
