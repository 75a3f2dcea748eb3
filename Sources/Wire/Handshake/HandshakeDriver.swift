import JBRCore
import Logging
import NIOCore

/// What the two handshake handlers share: carrying out a `HandshakeAction` on the channel, the
/// handshake timer, and reporting the outcome exactly once.
///
/// Failures the peer should hear about are fired as `errorCaught`, so the one
/// `ErrorReportingHandler` further down the pipeline writes the error frame and closes; an error
/// the peer sent us is not echoed, the connection is just closed.
///
/// A class, not a struct: carrying out an action calls into the pipeline, which can re-enter
/// the handler (closing fires `channelInactive`, which calls `fail`) while `perform` is running.
final class HandshakeDriver {
    private let outcome: EventLoopPromise<PeerIdentity>
    private let bodyLimit: FrameBodyLimit
    private let authenticatedMaxBodyBytes: Int
    private let timeout: Duration
    private var timer: Scheduled<Void>?
    private(set) var isFinished = false
    private let logger: Logger

    init(outcome: EventLoopPromise<PeerIdentity>, bodyLimit: FrameBodyLimit, authenticatedMaxBodyBytes: Int, timeout: Duration, logger: Logger) {
        self.outcome = outcome
        self.bodyLimit = bodyLimit
        self.authenticatedMaxBodyBytes = authenticatedMaxBodyBytes
        self.timeout = timeout
        self.logger = logger
    }

    /// Starts the handshake timer; `onTimeout` runs on the event loop if it expires.
    func startTimer(context: ChannelHandlerContext, onTimeout: @escaping () -> Void) {
        precondition(timer == nil, "handshake timer started twice")
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout), onTimeout)
    }

    /// Carries out `action`. Returns true when the handshake succeeded and the caller must
    /// leave the pipeline (after which no frame may reach it).
    func perform(_ action: HandshakeAction, context: ChannelHandlerContext) -> Bool {
        switch action {
        case .none:
            return false
        case .send(let frame):
            logger.trace("handshake send", metadata: ["wire.type": "\(frame.type)"])
            context.writeAndFlush(NIOAny(frame), promise: nil)
            return false
        case .established(let peer, let frame):
            if let frame { context.writeAndFlush(NIOAny(frame), promise: nil) }
            finish()
            bodyLimit.maxBodyBytes = authenticatedMaxBodyBytes
            logger.debug("handshake complete", metadata: ["wire.peer": "\(peer)"])
            context.fireUserInboundEventTriggered(WireHandshakeCompleted(peer: peer))
            outcome.succeed(peer)
            return true
        case .fail(let error, let notifyPeer):
            logger.debug("handshake failed", metadata: ["wire.error": "\(error)", "wire.notify": "\(notifyPeer)"])
            fail(error)
            if notifyPeer {
                context.fireErrorCaught(error)
            } else {
                context.close(promise: nil)
            }
            return false
        }
    }

    /// Ends the handshake with `error` unless it already ended (connection closed, pipeline
    /// error, handler removed).
    func fail(_ error: Error) {
        guard !isFinished else { return }
        finish()
        outcome.fail(error)
    }

    private func finish() {
        isFinished = true
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension HandshakeDriver: Sendable {}
