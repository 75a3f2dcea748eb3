import JBRCore
import NIOCore

/// Enforces `WireConfiguration.maxInFlightRequests` on an authenticated connection.
///
/// Sees every application frame in both directions (it sits between the handshake and the
/// application) and keeps `InFlightRequests` up to date. A frame that breaks the limit is
/// dropped and its error fired, so the `ErrorReportingHandler` sends `.tooManyInFlight` (or
/// `.protocolViolation`) and closes. This bounds what a peer can make us buffer for requests
/// the application has not answered yet.
final class InFlightLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    private var requests: InFlightRequests
    private var hasFailed = false

    init(limit: Int, side: ConnectionSide) {
        self.requests = InFlightRequests(limit: limit, side: side)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !hasFailed else { return }
        if let error = requests.received(unwrapInboundIn(data)) {
            hasFailed = true
            context.fireErrorCaught(error)
            return
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        requests.sent(unwrapOutboundIn(data))
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension InFlightLimitHandler: Sendable {}
