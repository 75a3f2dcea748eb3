import JBRCore
import Logging
import NIOCore

/// Runs `ClientHandshake` on a dialed connection, then leaves the pipeline.
///
/// Sends hello when the connection becomes active and starts the handshake timer; answers the
/// challenge with proof and verifies the server's welcome. Its outcome (the server's
/// `PeerIdentity`, or the error, e.g. the server's `.authenticationFailed`) completes `outcome`
/// exactly once.
final class ClientHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundOut = Frame

    private var handshake: ClientHandshake
    private let driver: HandshakeDriver
    private var started = false

    init(handshake: ClientHandshake, driver: HandshakeDriver) {
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
        _ = driver.perform(handshake.start(), context: context)
    }
}

@available(*, unavailable)
extension ClientHandshakeHandler: Sendable {}
