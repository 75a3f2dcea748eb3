import JBRCore
import NIOCore

/// Closes an authenticated connection on which nothing has arrived for `timeout`.
///
/// After `timeout / 2` of silence it sends a `ping` (request id 0), which any live Wire peer
/// answers, so only a peer that is gone (power loss, partition, a hung process) reaches the full
/// timeout; it then gets `.timedOut` (fired for the `ErrorReportingHandler`). Starts when the
/// handshake completes: before that, the handshake timeout applies.
final class IdleTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame
    typealias OutboundOut = Frame

    private let timeout: TimeAmount
    private var lastRead: NIODeadline = .uptimeNanoseconds(0)
    private var pingSent = false
    private var timer: Scheduled<Void>?
    private var isRunning = false

    init(timeout: Duration) {
        precondition(timeout > .zero)
        self.timeout = TimeAmount(timeout)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is WireHandshakeCompleted, !isRunning {
            isRunning = true
            lastRead = context.eventLoop.now
            schedule(context: context, at: lastRead + halfTimeout)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = context.eventLoop.now
        pingSent = false
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    private var halfTimeout: TimeAmount { .nanoseconds(timeout.nanoseconds / 2) }

    private func check(context: ChannelHandlerContext) {
        guard isRunning else { return }
        let silence = context.eventLoop.now - lastRead
        if silence >= timeout {
            stop()
            context.fireErrorCaught(JBRError(.timedOut, "nothing received for \(Duration(timeout)); closing an idle connection"))
            return
        }
        if silence >= halfTimeout, !pingSent {
            pingSent = true
            context.writeAndFlush(wrapOutboundOut(Frame(type: .ping, requestID: 0)), promise: nil)
        }
        schedule(context: context, at: lastRead + (pingSent ? timeout : halfTimeout))
    }

    private func schedule(context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            check(context: context)
        }
    }

    private func stop() {
        isRunning = false
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension IdleTimeoutHandler: Sendable {}
