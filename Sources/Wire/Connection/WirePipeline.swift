import JBRCore
import Logging
import NIOCore

/// Builds the channel pipeline of a Wire connection, the same on both sides apart from the
/// handshake handler (head to tail):
///
/// ```
/// FrameDecoder → FrameEncoder → {Server,Client}HandshakeHandler (leaves when done)
///   → IdleTimeoutHandler (if configured) → InFlightLimitHandler → ErrorReportingHandler
///   → FrameRoutingHandler → NIOAsyncChannel (added by the caller)
/// ```
/// Handlers only frame, check and count (STYLE item 16); request matching, ping answers and
/// everything else are `WireConnection`'s, which `FrameRoutingHandler` calls on the event loop;
/// the async channel only tells the connection's reader that it ended. Every handler reports a
/// failure by firing a `JBRError`; `ErrorReportingHandler` is the one place that tells the peer
/// and closes.
enum WirePipeline {
    /// Configures an accepted channel. Must run on the channel's event loop.
    /// - Parameter refusal: the error to turn the connection away with as soon as it opens
    ///   (the server is full), or nil to run the handshake.
    /// - Returns: the handshake outcome: the client's identity, or why it failed.
    static func configureAcceptor(
        _ channel: any Channel,
        identity: WireIdentity,
        addressFilter: AddressFilter,
        configuration: WireConfiguration,
        nonce: HandshakeNonce,
        refusal: JBRError? = nil,
        logger: Logger
    ) throws -> EventLoopFuture<PeerIdentity> {
        guard case .peer(let replica) = identity.role else {
            preconditionFailure("a WireServer is a brick: its role must be .peer, not \(identity.role)")
        }
        let handshake = ServerHandshake(
            credentials: identity.credentials,
            replica: replica,
            name: identity.name,
            versions: configuration.protocolVersions,
            addressFilter: addressFilter,
            nonce: nonce,
            refusal: refusal
        )
        return try configure(channel, side: .acceptor, configuration: configuration, logger: logger) { driver in
            ServerHandshakeHandler(handshake: handshake, driver: driver)
        }
    }

    /// Configures a dialed channel. Must run on the channel's event loop.
    /// - Returns: the handshake outcome: the server's identity, or why it failed.
    static func configureDialer(
        _ channel: any Channel,
        identity: WireIdentity,
        configuration: WireConfiguration,
        nonce: HandshakeNonce,
        logger: Logger
    ) throws -> EventLoopFuture<PeerIdentity> {
        let handshake = ClientHandshake(
            credentials: identity.credentials,
            role: identity.role,
            name: identity.name,
            versions: configuration.protocolVersions,
            nonce: nonce
        )
        return try configure(channel, side: .dialer, configuration: configuration, logger: logger) { driver in
            ClientHandshakeHandler(handshake: handshake, driver: driver)
        }
    }

    private static func configure(
        _ channel: any Channel,
        side: ConnectionSide,
        configuration: WireConfiguration,
        logger: Logger,
        makeHandshakeHandler: (HandshakeDriver) -> any ChannelHandler
    ) throws -> EventLoopFuture<PeerIdentity> {
        let configuration = configuration.validated()
        let outcome = channel.eventLoop.makePromise(of: PeerIdentity.self)
        let bodyLimit = FrameBodyLimit(maxBodyBytes: min(configuration.maxHandshakeBodyBytes, configuration.maxBodyBytes))
        let driver = HandshakeDriver(
            outcome: outcome,
            bodyLimit: bodyLimit,
            authenticatedMaxBodyBytes: configuration.maxBodyBytes,
            timeout: configuration.handshakeTimeout,
            logger: logger
        )
        var handlers: [any ChannelHandler] = [
            ByteToMessageHandler(FrameDecoder(limit: bodyLimit)),
            MessageToByteHandler(FrameEncoder()),
            makeHandshakeHandler(driver),
        ]
        if let idleTimeout = configuration.idleTimeout {
            handlers.append(IdleTimeoutHandler(timeout: idleTimeout))
        }
        handlers.append(InFlightLimitHandler(limit: configuration.maxInFlightRequests, side: side))
        handlers.append(ErrorReportingHandler(logger: logger))
        handlers.append(FrameRoutingHandler())
        do {
            try channel.pipeline.syncOperations.addHandlers(handlers)
        } catch {
            outcome.fail(error)
            throw error
        }
        return outcome.futureResult
    }
}
