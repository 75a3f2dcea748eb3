import JBRCore
import Logging
import NIOCore
import NIOPosix

/// Dials Wire servers.
public enum WireClient {
    /// Connects to `host:port`, runs the handshake as `identity`, and returns the authenticated
    /// connection.
    ///
    /// - Throws: the server's refusal (`.authenticationFailed`, `.wrongVolume`,
    ///   `.unsupportedVersion`, `.overloaded`), `.authenticationFailed` when the server cannot
    ///   prove the secret, `.timedOut` when the handshake takes longer than
    ///   `configuration.handshakeTimeout`, or the socket error when the connection fails.
    /// The connection runs on `group` until `close()`; close it before shutting `group` down.
    public static func connect(
        host: String,
        port: Int,
        identity: WireIdentity,
        configuration: WireConfiguration = WireConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> WireConnection {
        var logger = logger
        logger[metadataKey: "wire.remote"] = "\(host):\(port)"
        var generator = SystemRandomNumberGenerator()
        let nonce = HandshakeNonce.random(using: &generator)
        let handshakeLogger = logger
        let (asyncChannel, outcome) = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(TimeAmount(configuration.handshakeTimeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let outcome = try WirePipeline.configureDialer(
                        channel,
                        identity: identity,
                        configuration: configuration,
                        nonce: nonce,
                        logger: handshakeLogger
                    )
                    return (try NIOAsyncChannel<Frame, Frame>(wrappingChannelSynchronously: channel), outcome)
                }
            }
        let peer: PeerIdentity
        do {
            peer = try await withTaskCancellationHandler {
                try await outcome.get()
            } onCancel: {
                asyncChannel.channel.close(promise: nil)
            }
        } catch {
            try? await asyncChannel.executeThenClose { _, _ in }
            throw error
        }
        let connectionLogger = logger
        return await withCheckedContinuation { continuation in
            // The reader runs until the connection closes; `close()` waits for it.
            Task {
                await WireConnection.run(asyncChannel, peer: peer, side: .dialer, configuration: configuration, logger: connectionLogger) {
                    continuation.resume(returning: $0)
                }
            }
        }
    }
}
