import JBRCore
import Logging
import NIOCore

/// One side of the handshake as a pure state machine that a `HandshakeHandler` can drive.
package protocol HandshakeStateMachine {
    /// The connection became active (from `remote`, where the side cares who it is).
    mutating func begin(remote: IPAddress?) -> HandshakeAction
    mutating func receive(_ frame: Frame) -> HandshakeAction
    mutating func handshakeTimedOut() -> HandshakeAction
}

extension ClientHandshake: HandshakeStateMachine {
    /// The client sends hello at once; it does not check who it dialled.
    package mutating func begin(remote: IPAddress?) -> HandshakeAction { start() }
}

extension ServerHandshake: HandshakeStateMachine {
    /// The server checks the remote address against `auth.allow` before anything else.
    package mutating func begin(remote: IPAddress?) -> HandshakeAction { connectionOpened(from: remote) }
}

/// Runs the client handshake on a dialed connection: sends hello, answers the challenge with
/// proof, verifies the server's welcome.
typealias ClientHandshakeHandler = HandshakeHandler<ClientHandshake>

/// Runs the server handshake on an accepted connection: checks the address, answers hello with
/// challenge and proof with welcome. Until it succeeds no frame passes it, so an application
/// frame before the handshake is a `.protocolViolation`.
typealias ServerHandshakeHandler = HandshakeHandler<ServerHandshake>

/// Drives a handshake state machine on a connection, then leaves the pipeline.
///
/// Starts the machine and the handshake timer when the connection becomes active; feeds it every
/// frame until it finishes. Its outcome (the peer's `PeerIdentity`, or the error, e.g. the
/// peer's `.authenticationFailed`) completes the driver's outcome exactly once.
final class HandshakeHandler<Machine: HandshakeStateMachine>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundOut = Frame

    private var handshake: Machine
    private let driver: HandshakeDriver
    private var started = false

    init(handshake: Machine, driver: HandshakeDriver) {
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
        _ = driver.perform(handshake.begin(remote: remote), context: context)
    }
}

@available(*, unavailable)
extension HandshakeHandler: Sendable {}
