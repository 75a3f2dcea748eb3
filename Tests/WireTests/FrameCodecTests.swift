import JBRCore
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
@testable import Wire

@Suite struct FrameDecoderTests {
    static let limit = 1024

    static let samples: [Frame] = [
        Frame(type: .application(16), requestID: 1, body: Fixture.buffer("hello")),
        Frame(type: .ping, requestID: 0),
        Frame(type: .error, requestID: 0, body: BinaryCodec.encode(JBRError(.EIO, "disk"))),
        Frame(type: .application(255), requestID: .max, body: ByteBuffer(repeating: 0xAB, count: limit)),
    ]

    @Test func verifierAcceptsTheDecoder() throws {
        let pairs = FrameDecoderTests.samples.map { ($0.encoded(), [$0]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(maxBodyBytes: FrameDecoderTests.limit)
        }
    }

    @Test func encoderWritesHeaderThenBody() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder()))
        defer { _ = try? channel.finish() }
        for frame in FrameDecoderTests.samples {
            try channel.writeOutbound(frame)
            let bytes = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(bytes == frame.encoded())
            var input = bytes
            #expect(try FrameDecoder.decodeFrame(from: &input, maxBodyBytes: FrameDecoderTests.limit) == frame)
            #expect(input.readableBytes == 0)
        }
    }

    @Test func badMagicIsRejectedAtTheFirstWrongByte() {
        #expect(rejection(of: [[0x47]])?.code == .protocolViolation)  // "G" instead of "J"
        #expect(rejection(of: [Array("JB".utf8), Array("RX".utf8)])?.code == .protocolViolation)
        #expect(rejection(of: [Array("GET / HTTP/1.1\r\n".utf8)])?.detail.contains("magic") == true)
    }

    @Test func unsupportedVersionIsRejectedAtByteFour() {
        #expect(rejection(of: [Array("JBRF".utf8) + [2]])?.code == .unsupportedVersion)
    }

    @Test func damagedHeaderIsRejected() {
        var bytes = Array(Frame(type: .application(16), requestID: 9, body: Fixture.buffer("x")).encoded().readableBytesView)
        bytes[9] ^= 0x01  // request id
        let error = rejection(of: [bytes])
        #expect(error?.code == .protocolViolation)
        #expect(error?.detail.contains("header checksum") == true)
    }

    @Test func nonZeroFlagsAreRejected() {
        var buffer = ByteBuffer()
        FrameHeader(type: .application(16), flags: 0x0001, requestID: 1, bodyLength: 0, bodyChecksum: 0).write(to: &buffer)
        let error = rejection(of: [Array(buffer.readableBytesView)])
        #expect(error?.code == .protocolViolation)
        #expect(error?.detail.contains("flags") == true)
    }

    @Test func typeZeroIsRejected() {
        var buffer = ByteBuffer()
        FrameHeader(type: MessageType(rawValue: 0), requestID: 1, bodyLength: 0, bodyChecksum: 0).write(to: &buffer)
        #expect(rejection(of: [Array(buffer.readableBytesView)])?.code == .protocolViolation)
    }

    /// The length is refused when the header is in, before any body byte is buffered.
    @Test func oversizeBodyIsRejectedOnTheHeaderAlone() {
        var buffer = ByteBuffer()
        let length = UInt32(FrameDecoderTests.limit + 1)
        FrameHeader(type: .application(16), requestID: 1, bodyLength: length, bodyChecksum: 0).write(to: &buffer)
        let error = rejection(of: [Array(buffer.readableBytesView)])
        #expect(error?.code == .frameTooLarge)
        #expect(error?.detail.contains("1025") == true)
        var huge = ByteBuffer()
        FrameHeader(type: .application(16), requestID: 1, bodyLength: .max, bodyChecksum: 0).write(to: &huge)
        #expect(rejection(of: [Array(huge.readableBytesView)])?.code == .frameTooLarge)
    }

    @Test func bodyAtTheLimitIsAccepted() throws {
        let frame = Frame(type: .application(16), requestID: 3, body: ByteBuffer(repeating: 1, count: FrameDecoderTests.limit))
        var input = frame.encoded()
        #expect(try FrameDecoder.decodeFrame(from: &input, maxBodyBytes: FrameDecoderTests.limit) == frame)
    }

    @Test func damagedBodyIsRejected() {
        var bytes = Array(Frame(type: .application(16), requestID: 9, body: Fixture.buffer("payload")).encoded().readableBytesView)
        bytes[FrameHeader.size + 2] ^= 0x40
        let error = rejection(of: [bytes])
        #expect(error?.code == .protocolViolation)
        #expect(error?.detail.contains("body checksum") == true)
    }

    @Test func connectionEndingInsideAFrameIsAnError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxBodyBytes: FrameDecoderTests.limit)))
        let bytes = Frame(type: .application(16), requestID: 9, body: Fixture.buffer("payload")).encoded()
        try channel.writeInbound(bytes.getSlice(at: bytes.readerIndex, length: 30)!)
        #expect(try channel.readInbound(as: Frame.self) == nil)
        #expect(throws: JBRError.self) { try channel.finish() }
    }

    @Test func partialInputWaitsWithoutConsuming() throws {
        let encoded = Frame(type: .application(16), requestID: 9, body: Fixture.buffer("payload")).encoded()
        for length in 0..<encoded.readableBytes {
            var prefix = encoded.getSlice(at: encoded.readerIndex, length: length)!
            #expect(try FrameDecoder.decodeFrame(from: &prefix, maxBodyBytes: FrameDecoderTests.limit) == nil)
            #expect(prefix.readableBytes == length)
        }
    }

    /// Feeds `chunks` one write at a time to a fresh decoder; returns the error of the first
    /// write that fails (nil when none does).
    private func rejection(of chunks: [[UInt8]]) -> JBRError? {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxBodyBytes: FrameDecoderTests.limit)))
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        for chunk in chunks {
            do {
                try channel.writeInbound(ByteBuffer(bytes: chunk))
            } catch let error as JBRError {
                return error
            } catch {
                Issue.record("unexpected error \(error)")
                return nil
            }
        }
        return nil
    }
}
