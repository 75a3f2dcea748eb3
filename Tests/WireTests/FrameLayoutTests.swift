import JBRCore
import NIOCore
import Testing
@testable import Wire

@Suite struct FrameLayoutTests {
    @Test func headerIsTwentyEightBytes() {
        #expect(FrameHeader.size == 28)
        #expect(Frame(type: .ping, requestID: 0).encoded().readableBytes == 28)
    }

    /// Freezes the layout: change it only together with the format version.
    @Test func goldenFrame() {
        let frame = Frame(type: .application(16), requestID: 0x0102_0304_0506_0708, body: Fixture.buffer("123456789"))
        let golden: [UInt8] = [
            0x4A, 0x42, 0x52, 0x46,  // magic "JBRF"
            0x01,  // version
            0x10,  // type 16
            0x00, 0x00,  // flags
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // request id
            0x09, 0x00, 0x00, 0x00,  // body length 9
            0x83, 0x92, 0x06, 0xE3,  // body checksum: CRC32C("123456789") = 0xE3069283
            0x03, 0xD9, 0x99, 0xA6,  // header checksum: CRC32C of the 24 bytes above
        ] + Array("123456789".utf8)
        #expect(Array(frame.encoded().readableBytesView) == golden)
        #expect(CRC32C.checksum(golden[0..<24]) == 0xA699_D903)
    }

    @Test func messageTypeRanges() {
        #expect(MessageType.hello.isControl && !MessageType.hello.isApplication)
        #expect(MessageType(rawValue: 15).isControl)
        #expect(MessageType(rawValue: 16).isApplication && !MessageType(rawValue: 16).isControl)
        #expect(MessageType(rawValue: 255).isApplication)
        #expect(!MessageType(rawValue: 0).isControl && !MessageType(rawValue: 0).isApplication)
    }

    @Test func frameDescriptionNeverShowsTheBody() {
        let frame = Frame(type: .application(20), requestID: 7, body: Fixture.buffer("secret file contents"))
        #expect(frame.description == "app20#7 (20 bytes)")
    }
}
