import NIOCore

/// A modifying request from a client: the operation and its idempotency key.
public struct ClientRequest: Hashable, Sendable {
    public var id: RequestID
    public var operation: FileOperation

    public init(id: RequestID, operation: FileOperation) {
        self.id = id
        self.operation = operation
    }
}

/// A read from a client. Reads change nothing and are not deduplicated, so they carry no id.
public struct ReadRequest: Hashable, Sendable {
    public var operation: ReadOperation

    public init(operation: ReadOperation) { self.operation = operation }
}

/// The answer to a `ClientRequest` or `ReadRequest`.
public struct ClientReply: Hashable, Sendable {
    public var result: OperationResult

    public init(result: OperationResult) { self.result = result }
}

extension ClientRequest: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(id)
        buffer.write(operation)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(id: try RequestID(from: &buffer), operation: try FileOperation(from: &buffer))
    }
}

extension ReadRequest: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { buffer.write(operation) }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(operation: try ReadOperation(from: &buffer))
    }
}

extension ClientReply: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) { buffer.write(result) }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(result: try OperationResult(from: &buffer))
    }
}
