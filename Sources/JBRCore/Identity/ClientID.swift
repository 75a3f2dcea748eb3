/// A client process's identity, chosen at random when it starts. With a sequence number it makes
/// every request id unique across all clients of a volume.
public struct ClientID: UUIDIdentifier {
    public let uuid: UUID128

    public init(_ uuid: UUID128) { self.uuid = uuid }
}

/// The idempotency key of a modifying request: `(client, sequence)`.
///
/// A client retries with the same id after a leader change; the replica set deduplicates ids in
/// replicated state, so a retried rename or append happens once (architecture rule 4).
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    public var client: ClientID
    /// Increases by one for every modifying request the client issues; 0 is never used.
    public var sequence: UInt64

    public init(client: ClientID, sequence: UInt64) {
        self.client = client
        self.sequence = sequence
    }

    public var description: String { "\(client)#\(sequence)" }
}
