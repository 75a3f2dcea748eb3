import NIOCore

/// Writes a `Frame` as its 28-byte header followed by the body.
///
/// Does not check the body against the peer's limit: the connection refuses oversize bodies
/// before they get here (`WireConnection.send`), and the peer's decoder is the authority.
struct FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = Frame

    func encode(data frame: Frame, out: inout ByteBuffer) throws {
        out.reserveCapacity(minimumWritableBytes: FrameHeader.size + frame.body.readableBytes)
        FrameHeader(describing: frame).write(to: &out)
        out.writeImmutableBuffer(frame.body)
    }
}

@available(*, unavailable)
extension FrameEncoder: Sendable {}

extension Frame {
    /// The frame's bytes on the wire (header then body); used by tests and by tools that need
    /// the encoding without a channel.
    package func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: FrameHeader.size + body.readableBytes)
        FrameHeader(describing: self).write(to: &buffer)
        buffer.writeImmutableBuffer(body)
        return buffer
    }
}
