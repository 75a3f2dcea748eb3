/// The limits and timeouts of Wire connections (architecture rule 6: everything has a limit).
///
/// Shared by both ends: a client and a server each apply their own copy to what they receive.
/// Each value states what it bounds and what it costs to raise or lower it.
public struct WireConfiguration: Sendable {
    /// Largest frame body accepted after the handshake. A frame above it gets `.frameTooLarge`
    /// and the connection is closed, before any of its body is buffered.
    ///
    /// The default, 16 MiB + 64 KiB, carries a 16 MiB write with room for its header fields.
    /// Raising it raises the worst-case memory per connection (see `maxInFlightRequests`);
    /// lowering it below the largest message the application sends breaks those messages.
    public var maxBodyBytes: Int = 16 << 20 + 64 << 10

    /// Largest frame body accepted before the peer has proved the volume secret (capped at
    /// `maxBodyBytes`). Handshake messages are under 200 bytes; 4 KiB bounds what a stranger
    /// can make us buffer.
    public var maxHandshakeBodyBytes: Int = 4 << 10

    /// Requests the peer may have outstanding on one connection: received, not yet answered.
    /// One more gets `.tooManyInFlight` and the connection is closed.
    ///
    /// Bounds the memory a peer can pin on the receiving side: at most about
    /// `maxInFlightRequests × maxBodyBytes` (4 GiB with the defaults, reached only with 16 MiB
    /// writes). Lower it for peers that send large bodies; raising it lets one client pipeline
    /// more small operations.
    public var maxInFlightRequests: Int = 256

    /// Time a new connection has to complete the handshake. A peer that is slower (a slow-loris,
    /// or a wrong service on the port) is sent `.timedOut` and closed.
    ///
    /// Short enough that half-open connections do not pile up; long enough for a busy server
    /// across a WAN (the handshake is two round trips).
    public var handshakeTimeout: Duration = .seconds(10)

    /// A connection on which nothing arrives for this long is sent `.timedOut` and closed;
    /// after half of it in silence Wire sends a `ping`, so a live but quiet peer answers and
    /// stays connected. `nil` keeps quiet connections open forever.
    ///
    /// Detects peers that vanished without a FIN (power loss, partition). Shorter finds them
    /// sooner but costs a ping per connection every `idleTimeout / 2`.
    public var idleTimeout: Duration? = .seconds(60)

    /// How long `WireConnection.call` waits for a reply when the caller gives no timeout.
    /// Bounds how long a lost reply holds its request id and the caller's task.
    public var defaultCallTimeout: Duration = .seconds(30)

    /// Connections a `WireServer` has open at once, those still in the handshake included.
    /// Further connections get `.overloaded` as soon as they open and are closed, which bounds
    /// the server's file descriptors, its per-connection memory and its `connections` queue.
    public var maxConnections: Int = 1024

    /// Open-file descriptors a `WireServer` keeps for everything but its connections (journal
    /// segments, store files, connections to peers): it admits no more connections than the
    /// process's soft RLIMIT_NOFILE less this (less a quarter of a small limit), whatever
    /// `maxConnections` says, so connecting strangers cannot make the brick's own opens fail.
    /// A brick's store alone keeps up to 448 open (256 index buckets, 128 directories, 64 files
    /// being written).
    public var reservedDescriptors: Int = 640

    /// The handshake protocol versions this end speaks. Tests narrow it to exercise version
    /// negotiation; production code leaves it alone.
    package var protocolVersions: ClosedRange<UInt8> = WireConfiguration.supportedProtocolVersions

    /// Every protocol version this build implements.
    package static let supportedProtocolVersions: ClosedRange<UInt8> = 1...1

    public init() {}

    /// Checks the values against each other. Precondition failures here are configuration
    /// mistakes in code, not operating errors.
    func validated() -> WireConfiguration {
        precondition(maxBodyBytes >= 256 && maxBodyBytes <= UInt32.max, "maxBodyBytes \(maxBodyBytes) out of range")
        precondition(maxHandshakeBodyBytes >= 256, "maxHandshakeBodyBytes \(maxHandshakeBodyBytes) cannot carry a handshake")
        precondition(maxInFlightRequests > 0, "maxInFlightRequests must be positive")
        precondition(handshakeTimeout > .zero, "handshakeTimeout must be positive")
        precondition(idleTimeout.map { $0 > .zero } ?? true, "idleTimeout must be positive")
        precondition(defaultCallTimeout > .zero, "defaultCallTimeout must be positive")
        precondition(maxConnections > 0, "maxConnections must be positive")
        return self
    }
}
