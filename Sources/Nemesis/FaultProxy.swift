import JBRCore
import NIOCore
import NIOPosix

/// Which way bytes flow through a `FaultProxy`: from the side that connected to the target,
/// or back.
public enum ProxyDirection: Sendable, CaseIterable {
    case towardTarget, backFromTarget
}

/// A TCP forwarder on 127.0.0.1 (a port the system chooses) to one target port on loopback,
/// that the nemesis cuts as a network partition does. Cut one way, the bytes (and the closes)
/// going that way are held, and neither end learns of the cut but by its own timeouts; healed,
/// what was held flows on in order, as TCP delivers once a short partition ends. A brick
/// reaches each peer through one of these, so a brick can be isolated, or heard without
/// hearing, while clients still reach it directly.
public final class FaultProxy: Sendable {
    public let port: Int
    public let target: Int
    private let listener: any Channel
    private let controls: ProxyControls

    /// Starts listening; connections are made to `target` as they arrive.
    public static func start(target: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> FaultProxy {
        let controls = ProxyControls()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Nothing is read from a connection before its other half to the target exists.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                inbound.eventLoop.makeCompletedFuture { try Self.join(inbound, target: target, controls: controls) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw JBRError(.EIO, "the proxy to port \(target) has no local port")
        }
        return FaultProxy(port: port, target: target, listener: listener, controls: controls)
    }

    private init(port: Int, target: Int, listener: any Channel, controls: ProxyControls) {
        self.port = port
        self.target = target
        self.listener = listener
        self.controls = controls
    }

    /// Cuts or restores one direction; restoring releases what was held.
    public func setCut(_ direction: ProxyDirection, _ cut: Bool) {
        controls.setCut(direction, cut)
    }

    /// Restores both directions.
    public func heal() {
        for direction in ProxyDirection.allCases { controls.setCut(direction, false) }
    }

    /// Stops listening and closes every connection carried.
    public func stop() async {
        try? await listener.close()
        await controls.closeAll()
    }

    /// Pairs an accepted connection with a new one to the target on the same event loop.
    private static func join(_ inbound: any Channel, target: Int, controls: ProxyControls) throws {
        let toTarget = RelayHandler(direction: .towardTarget, controls: controls)
        try inbound.pipeline.syncOperations.addHandler(toTarget)
        let connecting = ClientBootstrap(group: inbound.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture {
                    try outbound.pipeline.syncOperations.addHandler(RelayHandler(direction: .backFromTarget, controls: controls, partner: inbound))
                }
            }
            .connect(host: "127.0.0.1", port: target)
        let relay = NIOLoopBound(toTarget, eventLoop: inbound.eventLoop)
        connecting.whenComplete { result in
            switch result {
            case .success(let outbound):
                relay.value.partner = outbound
                inbound.setOption(.autoRead, value: true).whenFailure { _ in inbound.close(promise: nil) }
            case .failure:
                // The target is down (a killed brick): the connecting side sees its connection
                // end, as it would find the port closed.
                inbound.close(promise: nil)
            }
        }
    }
}
