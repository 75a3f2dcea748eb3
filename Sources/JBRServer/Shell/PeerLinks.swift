import JBRCore
import Logging
import NIOCore
import Synchronization
import Wire

/// Outgoing connections to the other bricks of the replica set.
///
/// `send` writes a message straight to the peer's connection as a Wire notice (the event loop
/// sends it; the core never waits for a socket; nothing answers it), so messages to one peer
/// leave in the order they were sent. At most `maxUnwritten` wait in the connection for the
/// socket at once; the rest wait here, as they do while the peer is unreachable, and leave in
/// order as the socket takes the earlier ones. Of waiting messages only the newest are kept (see
/// the limits): the replica protocol tolerates loss (a leader resends what a follower lacks).
/// One task per peer dials, and redials with backoff when the connection is lost.
///
/// Sent on the connection's event loop (the replica core's), a message waits for `flush()`,
/// which the core calls once its run of steps is done: what one run sends to a peer leaves in
/// one system call. Sent from elsewhere, it leaves at once.
final class PeerLinks: Sendable {
    struct Peer: Sendable {
        var id: ReplicaID
        var host: String
        var port: Int
    }

    /// A peer's connection, or the messages waiting for one.
    private struct LinkState {
        var connection: WireConnection?
        var waiting: [PeerEnvelope] = []
        /// Handed to `connection` and not yet written to its socket.
        var unwritten = 0
        /// Handed to `connection` without a flush.
        var unflushed = false
        var finished = false
    }

    private final class Link: Sendable {
        let state = Mutex(LinkState())
        func withLock<Result>(_ body: (inout LinkState) -> Result) -> Result { state.withLock { body(&$0) } }
    }

    private let links: [ReplicaID: Link]
    let peers: [Peer]
    let identity: WireIdentity
    let group: any EventLoopGroup
    let logger: Logger
    /// Told when an established connection to a peer ends (not when a dial fails: that says
    /// less, and would repeat while the peer is down).
    let connectionLost: @Sendable (ReplicaID) -> Void
    static let queueLimit = 4096
    /// While a peer is unreachable only its newest messages are kept: heartbeats and probes
    /// repeat, and a backlog from a long outage would reach it stale, each refusal making the
    /// leader probe again (a flood that starved the leader's heartbeats to the other replicas).
    static let disconnectedQueueLimit = 64
    /// Beyond this many the socket is not keeping up: later messages wait here, where the
    /// limits above drop the oldest.
    static let maxUnwritten = 128

    init(
        peers: [Peer], identity: WireIdentity, group: any EventLoopGroup, logger: Logger,
        connectionLost: @escaping @Sendable (ReplicaID) -> Void = { _ in }
    ) {
        var links: [ReplicaID: Link] = [:]
        for peer in peers { links[peer.id] = Link() }
        self.links = links
        self.peers = peers
        self.identity = identity
        self.group = group
        self.logger = logger
        self.connectionLost = connectionLost
    }

    func send(_ message: PeerEnvelope) {
        guard let link = links[message.to] else { return }
        // Under the lock, so a connection that just opened cannot overtake the waiting messages.
        link.withLock { state in
            guard !state.finished else { return }
            let limit = state.connection == nil ? Self.disconnectedQueueLimit : Self.queueLimit
            if state.waiting.count >= limit { state.waiting.removeFirst(state.waiting.count - limit + 1) }
            state.waiting.append(message)
            postWaiting(&state, on: link, flush: !(state.connection?.eventLoop.inEventLoop ?? false))
        }
    }

    /// Sends what messages sent on the event loop left unflushed.
    func flush() {
        for link in links.values {
            link.withLock { state in
                guard state.unflushed else { return }
                state.unflushed = false
                state.connection?.flush()
            }
        }
    }

    /// Runs every peer's dialler until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask { await self.keepConnected(to: peer) }
            }
        }
    }

    /// Stops sending: later messages are dropped, open connections are closed.
    func finish() {
        for link in links.values {
            let connection = link.withLock { link in
                link.finished = true
                link.waiting = []
                defer { link.connection = nil }
                return link.connection
            }
            connection?.closeNow()
        }
    }

    /// Under the link's lock: posts waiting messages, in order, while the connection has room.
    private func postWaiting(_ state: inout LinkState, on link: Link, flush: Bool) {
        guard let connection = state.connection else { return }
        var posted = 0
        while posted < state.waiting.count, state.unwritten < Self.maxUnwritten {
            var body = ByteBuffer()
            state.waiting[posted].encode(to: &body)
            posted += 1
            // The write only frees a slot; a failure means the connection is closing, which
            // the dialler notices (the next connection starts with no slot taken).
            guard let written = try? connection.noticeNow(.peerMessage, body: body, flush: flush) else { continue }
            state.unwritten += 1
            state.unflushed = state.unflushed || !flush
            // Always a later turn of the loop: a write done already (on the loop, the usual
            // case) would otherwise run this at once, under the lock held here.
            written.whenComplete { [self] _ in
                written.eventLoop.execute {
                    link.withLock { state in
                        guard state.connection === connection else { return }
                        state.unwritten -= 1
                        self.postWaiting(&state, on: link, flush: true)
                    }
                }
            }
        }
        state.waiting.removeFirst(posted)
    }

    private func keepConnected(to peer: Peer) async {
        guard let link = links[peer.id] else { return }
        var backoff = Duration.milliseconds(50)
        var logger = self.logger
        logger[metadataKey: "repl.peer"] = "\(peer.id)"
        while !Task.isCancelled {
            let connection: WireConnection
            do {
                connection = try await WireClient.connect(host: peer.host, port: peer.port, identity: identity, group: group, logger: logger)
            } catch {
                logger.debug("peer unreachable", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(1))
                continue
            }
            backoff = .milliseconds(50)
            let attached = link.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.connection = connection
                state.unwritten = 0
                state.unflushed = false
                postWaiting(&state, on: link, flush: true)
                return true
            }
            guard attached else {
                await connection.close()
                return
            }
            logger.info("peer connected", metadata: ["peer.address": "\(peer.host):\(peer.port)"])
            let reason = await withTaskCancellationHandler {
                await connection.waitUntilClosed()
            } onCancel: {
                connection.closeNow()
            }
            let finished = link.withLock { link in
                if link.connection === connection { link.connection = nil }
                return link.finished
            }
            if Task.isCancelled || finished { return }
            connectionLost(peer.id)
            // What was sent on it and not yet received is lost; the protocol resends what matters.
            logger.info("peer connection lost", metadata: ["error": "\(reason)"])
        }
    }
}
