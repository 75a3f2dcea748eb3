import JBRCore
import Logging
import NIOCore

/// Runs `ServerHandshake` on an accepted connection, then leaves the pipeline.
///
/// On channel active it checks the remote address and starts the handshake timer; it answers
/// hello with challenge and proof with welcome. Until it succeeds no frame passes it, so an
/// application frame before the handshake is a `.protocolViolation`. Its outcome (the client's
/// `PeerIdentity`, or the error) completes `outcome` exactly once.
final class ServerHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundOut = Frame

    private var handshake: ServerHandshake
    private let driver: HandshakeDriver
    private var started = false

    init(handshake: ServerHandshake, driver: HandshakeDriver) {
        self.handshake = handshake
        self.driver = driver
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        start(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !driver.isFinished else { return }
        let action = handshake.receive(unwrapInboundIn(data))
        if driver.perform(action, context: context) {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        driver.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        driver.fail(JBRError.connectionClosed("during the handshake"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        driver.fail(JBRError.connectionClosed("handshake handler removed"))
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        driver.startTimer(context: context) { [self] in
            _ = driver.perform(handshake.handshakeTimedOut(), context: context)
        }
        let remote = context.channel.remoteAddress.flatMap(IPAddress.init)
        _ = driver.perform(handshake.connectionOpened(from: remote), context: context)
    }
}

@available(*, unavailable)
extension ServerHandshakeHandler: Sendable {}
