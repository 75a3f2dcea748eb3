import NIOCore

/// The body of a journal `operation` record: one client request as the leader sequenced it.
///
/// Carries the request id (so deduplication is rebuilt by replaying the journal, and rolls back
/// with it) and the leader's clock at sequencing (so `TimeUpdate.sequencingTime` and the times of
/// new objects are the same on every replica and every replay).
public struct OperationEntry: Hashable, Sendable {
    public var request: RequestID
    public var sequencedAt: Timestamp
    public var operation: FileOperation

    public init(request: RequestID, sequencedAt: Timestamp, operation: FileOperation) {
        self.request = request
        self.sequencedAt = sequencedAt
        self.operation = operation
    }
}

/// The body of a journal `termStart` record: the no-op a new leader commits first in its term.
public struct TermStartEntry: Hashable, Sendable {
    public var leader: ReplicaID
    public var sequencedAt: Timestamp

    public init(leader: ReplicaID, sequencedAt: Timestamp) {
        self.leader = leader
        self.sequencedAt = sequencedAt
    }
}

extension OperationEntry: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(request)
        buffer.write(sequencedAt)
        buffer.write(operation)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(request: try RequestID(from: &buffer), sequencedAt: try Timestamp(from: &buffer), operation: try FileOperation(from: &buffer))
    }
}

extension TermStartEntry: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(leader)
        buffer.write(sequencedAt)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(leader: try ReplicaID(from: &buffer), sequencedAt: try Timestamp(from: &buffer))
    }
}
