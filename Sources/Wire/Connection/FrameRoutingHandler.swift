import NIOCore

/// Routes each authenticated frame to its `WireConnection` on the event loop that read it: a
/// reply completes its call, a request reaches the connection's handler, at once.
///
/// Without it every frame would hop to the connection's reader task first, then to whoever
/// waits: one thread wake-up more per message, which on a replicated write is several per
/// write. Sits last in the pipeline; the application's async channel behind it only sees the
/// connection end. Frames read before the connection exists (its object is made off the loop)
/// wait here, in order, until `attach`.
final class FrameRoutingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame

    private var connection: WireConnection?
    private var early: [Frame] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let connection else { return early.append(frame) }
        connection.route(frame)
    }

    /// Starts routing to `connection`, first the frames that waited for it.
    func attach(_ connection: WireConnection) {
        self.connection = connection
        let waiting = early
        early = []
        for frame in waiting { connection.route(frame) }
    }
}

@available(*, unavailable)
extension FrameRoutingHandler: Sendable {}
