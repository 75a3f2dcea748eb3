import NIOCore

/// One direction of a proxied connection: what this channel reads goes to its partner channel,
/// unless the direction is cut; then it is held (closes too) until the cut heals.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let direction: ProxyDirection
    private let controls: ProxyControls
    /// The other half of the connection; nil until it is connected.
    var partner: (any Channel)?
    private var held: [ByteBuffer] = []
    private var closeHeld = false
    private var context: ChannelHandlerContext?
    private var token: Int?

    init(direction: ProxyDirection, controls: ProxyControls, partner: (any Channel)? = nil) {
        self.direction = direction
        self.controls = controls
        self.partner = partner
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        token = controls.register(NIOLoopBound(self, eventLoop: context.eventLoop))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let token { controls.unregister(token) }
        self.context = nil
    }

    private var holding: Bool { partner == nil || !held.isEmpty || closeHeld || controls.isCut(direction) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if holding {
            held.append(bytes)
        } else {
            partner?.writeAndFlush(bytes, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if holding {
            closeHeld = true
        } else {
            partner?.close(promise: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Passes on what was held, in order, once the direction is no longer cut.
    func releaseHeld() {
        guard let partner, !controls.isCut(direction) else { return }
        for bytes in held { partner.write(bytes, promise: nil) }
        held = []
        partner.flush()
        if closeHeld {
            closeHeld = false
            partner.close(promise: nil)
        }
    }

    /// Closes this half (the relay on the other half closes its own).
    func close(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context else { return eventLoop.makeSucceededVoidFuture() }
        return context.close()
    }
}
