import JBRCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Listens for Wire connections and yields them once authenticated.
///
/// Each accepted connection gets the full pipeline at once: address check, handshake with its
/// timeout, limits. Only connections that complete the handshake appear in `connections`;
/// the rest are told why and closed. At most `maxConnections` are open at once, counting those
/// still in the handshake; more are refused with `.overloaded`.
public final class WireServer: Sendable {
    /// The address the server listens on (with the real port when bound to port 0).
    public let localAddress: SocketAddress
    /// Authenticated connections, in the order their handshakes completed. One consumer only.
    /// Ends when the server closes.
    public let connections: AsyncStream<WireConnection>

    private let task: Task<Void, Never>

    /// The bound port (useful after binding port 0).
    public var port: Int { localAddress.port! }

    private init(localAddress: SocketAddress, connections: AsyncStream<WireConnection>, task: Task<Void, Never>) {
        self.localAddress = localAddress
        self.connections = connections
        self.task = task
    }

    /// Binds `host:port` (port 0 lets the system choose) and starts accepting.
    /// - Parameters:
    ///   - identity: this brick; its role must be `.peer`.
    ///   - addressFilter: `auth.allow` / `auth.reject`, checked before anything else.
    ///   - requestHandler: when given, every connection's requests go to it as they arrive
    ///     (see `WireConnection.requestHandler`) instead of into its `requests` stream.
    public static func bind(
        host: String,
        port: Int,
        identity: WireIdentity,
        addressFilter: AddressFilter = .allowAll,
        configuration: WireConfiguration = WireConfiguration(),
        requestHandler: WireConnection.RequestHandler? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> WireServer {
        let configuration = configuration.validated()
        guard case .peer = identity.role else {
            preconditionFailure("a WireServer is a brick: its role must be .peer, not \(identity.role)")
        }
        let openConnections = OpenConnectionCount()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    var childLogger = logger
                    childLogger[metadataKey: "wire.remote"] = "\(channel.remoteAddress.map { "\($0)" } ?? "none")"
                    let refusal = openConnections.admit(
                        channel, limit: min(configuration.maxConnections, DescriptorBudget.connections(reserving: configuration.reservedDescriptors)))
                    if refusal != nil { childLogger.warning("connection refused: too many connections") }
                    var generator = SystemRandomNumberGenerator()
                    let outcome = try WirePipeline.configureAcceptor(
                        channel,
                        identity: identity,
                        addressFilter: addressFilter,
                        configuration: configuration,
                        nonce: .random(using: &generator),
                        refusal: refusal,
                        logger: childLogger
                    )
                    let asyncChannel = try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel)
                    return AcceptedChannel(asyncChannel: asyncChannel, handshake: outcome, logger: childLogger)
                }
            }
        guard let localAddress = listener.channel.localAddress else {
            try? await listener.executeThenClose { _ in }
            throw JBRError.connectionClosed("listener on \(host):\(port) has no local address")
        }
        let (connections, sink) = AsyncStream.makeStream(of: WireConnection.self)
        var serverLogger = logger
        serverLogger[metadataKey: "wire.listen"] = "\(localAddress)"
        let acceptor = Acceptor(sink: sink, configuration: configuration, requestHandler: requestHandler, logger: serverLogger)
        let task = Task { await acceptor.serve(listener) }
        serverLogger.info("listening")
        return WireServer(localAddress: localAddress, connections: connections, task: task)
    }

    /// Stops listening, closes every connection it accepted and returns when all are closed.
    public func close() async {
        task.cancel()
        await task.value
    }
}

/// A connection the listener accepted, with the future of its handshake.
struct AcceptedChannel: Sendable {
    var asyncChannel: NIOAsyncChannel<Frame, Frame>
    var handshake: EventLoopFuture<PeerIdentity>
    var logger: Logger
}

/// The accept loop behind `WireServer`: one child task per connection, in one task group, so
/// cancelling the server's task closes everything and `close()` can wait for it.
private struct Acceptor: Sendable {
    let sink: AsyncStream<WireConnection>.Continuation
    let configuration: WireConfiguration
    let requestHandler: WireConnection.RequestHandler?
    let logger: Logger

    func serve(_ listener: NIOAsyncChannel<AcceptedChannel, Never>) async {
        await withDiscardingTaskGroup { group in
            do {
                try await listener.executeThenClose { accepted in
                    for try await channel in accepted {
                        group.addTask { await serveConnection(channel) }
                    }
                }
            } catch is CancellationError {
                // close() was called.
            } catch {
                logger.error("listener failed", metadata: ["wire.error": "\(error)"])
            }
            sink.finish()
            group.cancelAll()
        }
        logger.info("stopped listening")
    }

    private func serveConnection(_ accepted: AcceptedChannel) async {
        let peer: PeerIdentity
        do {
            peer = try await withTaskCancellationHandler {
                try await accepted.handshake.get()
            } onCancel: {
                accepted.asyncChannel.channel.close(promise: nil)
            }
        } catch {
            accepted.logger.debug("handshake failed", metadata: ["wire.error": "\(error)"])
            try? await accepted.asyncChannel.executeThenClose { _, _ in }
            return
        }
        await WireConnection.run(
            accepted.asyncChannel, peer: peer, side: .acceptor, configuration: configuration, requestHandler: requestHandler, logger: accepted.logger
        ) {
            connection in
            if case .terminated = sink.yield(connection) {
                // The server is closing; nobody will take this connection.
                connection.channel.close(promise: nil)
            }
        }
    }
}

/// Connections open on one server, handshaking or authenticated.
private final class OpenConnectionCount: Sendable {
    private let count = Mutex(0)

    /// Counts `channel` until it closes, or returns the refusal when `limit` are open already.
    func admit(_ channel: any Channel, limit: Int) -> JBRError? {
        let admitted = count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else {
            return JBRError(.overloaded, "the server has its maximum of \(limit) connections")
        }
        channel.closeFuture.whenComplete { _ in self.count.withLock { $0 -= 1 } }
        return nil
    }
}
