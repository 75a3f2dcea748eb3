import NIOCore

/// One entry of the replicated log: its position and what it holds. The journal stores it as a
/// record (type from `payload`, body = the payload's encoding); peers ship it in appends.
public struct LogEntry: Hashable, Sendable, CustomStringConvertible {
    public let position: LogPosition
    public let payload: Payload
    /// Bytes this entry occupies in flight (its encoding), for flow control and the window's
    /// budget. Known once: the core weighs every entry several times on the write path, and
    /// measuring by encoding would copy its data each time.
    public let encodedSize: Int

    public enum Payload: Hashable, Sendable {
        case operation(OperationEntry)
        /// The no-op a new leader commits first in its term.
        case termStart(TermStartEntry)
    }

    public init(position: LogPosition, payload: Payload) {
        self.position = position
        self.payload = payload
        var buffer = ByteBuffer()
        Self.encode(position, payload, to: &buffer)
        self.encodedSize = buffer.readableBytes
    }

    private init(position: LogPosition, payload: Payload, encodedSize: Int) {
        self.position = position
        self.payload = payload
        self.encodedSize = encodedSize
    }

    /// The request this entry carries, if it is a client operation.
    public var request: RequestID? {
        if case let .operation(entry) = payload { return entry.request }
        return nil
    }

    public var description: String {
        switch payload {
        case let .operation(entry): "\(position) \(entry.operation.name) \(entry.request)"
        case let .termStart(entry): "\(position) term-start by \(entry.leader)"
        }
    }
}

extension LogEntry: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        Self.encode(position, payload, to: &buffer)
    }

    private static func encode(_ position: LogPosition, _ payload: Payload, to buffer: inout ByteBuffer) {
        buffer.write(position)
        switch payload {
        case let .operation(entry):
            buffer.writeLittleEndian(UInt8(1))
            buffer.write(entry)
        case let .termStart(entry):
            buffer.writeLittleEndian(UInt8(2))
            buffer.write(entry)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let start = buffer.readerIndex
        let position = try LogPosition(from: &buffer)
        let offset = buffer.readerIndex
        let payload: Payload
        switch try buffer.readLittleEndian(UInt8.self, field: "log entry kind") {
        case 1: payload = .operation(try OperationEntry(from: &buffer))
        case 2: payload = .termStart(try TermStartEntry(from: &buffer))
        case let kind: throw DecodingError(.unknownTag(type: "log entry kind", tag: UInt64(kind)), offset: offset)
        }
        // The bytes just read are its encoding (the codec is canonical, which tests check).
        self.init(position: position, payload: payload, encodedSize: buffer.readerIndex - start)
    }
}
