import JBRCore
import Logging
import NIOCore

/// Turns the first error on a connection into one `error` frame to the peer, then closes.
///
/// Every handler ahead of it (decoder, handshake, in-flight limiter, idle timer) reports a
/// protocol or limit failure by firing a `JBRError`; this handler writes it (request id 0:
/// connection-level) and closes once the write is done, so the peer learns why before the
/// connection drops. Other errors (socket errors) just close. Later errors are only passed on:
/// the connection is already going, and answering each would let a broken peer keep us busy.
/// Errors are passed on either way (before the close), so the application side sees why the
/// connection ended.
final class ErrorReportingHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundOut = Frame

    private var hasFailed = false
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Pass it on first: the application side must see this error before the close below
        // reaches it, or it would take the close for a clean one.
        context.fireErrorCaught(error)
        guard !hasFailed else { return }
        hasFailed = true
        guard let error = error as? JBRError else {
            logger.debug("connection error", metadata: ["wire.error": "\(error)"])
            context.close(promise: nil)
            return
        }
        logger.debug("reporting error to peer", metadata: ["wire.error": "\(error)"])
        context.writeAndFlush(wrapOutboundOut(.error(error)))
            .assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a failure the connection is closing; nothing more goes to the application.
        guard !hasFailed else { return }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ErrorReportingHandler: Sendable {}
