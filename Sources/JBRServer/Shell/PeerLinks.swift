import JBRCore
import Logging
import NIOCore
import Synchronization
import Wire

/// Outgoing connections to the other bricks of the replica set.
///
/// `send` writes a message straight to the peer's connection (the event loop sends it; the core
/// never waits for a socket), so messages to one peer leave in the order they were sent. While a
/// peer is unreachable its newest `queueLimit` messages wait and go first once it connects: the
/// replica protocol tolerates loss (a leader resends what a follower lacks), so older ones are
/// dropped. One task per peer dials, and redials with backoff when the connection is lost.
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
        var finished = false
    }

    private final class Link: Sendable {
        let state = Mutex(LinkState())
        func withLock<Result>(_ body: (inout LinkState) -> Result) -> Result { state.withLock { body(&$0) } }
    }

    private let links: [ReplicaID: Link]
    let peers: [Peer]
    let identity: WireIdentity
    let logger: Logger
    static let queueLimit = 4096

    init(peers: [Peer], identity: WireIdentity, logger: Logger) {
        var links: [ReplicaID: Link] = [:]
        for peer in peers { links[peer.id] = Link() }
        self.links = links
        self.peers = peers
        self.identity = identity
        self.logger = logger
    }

    func send(_ message: PeerEnvelope) {
        guard let link = links[message.to] else { return }
        // Under the lock, so a connection that just opened cannot overtake the waiting messages.
        link.withLock { link in
            guard !link.finished else { return }
            guard let connection = link.connection else {
                if link.waiting.count == Self.queueLimit { link.waiting.removeFirst() }
                link.waiting.append(message)
                return
            }
            post(message, on: connection)
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

    private func post(_ message: PeerEnvelope, on connection: WireConnection) {
        var body = ByteBuffer()
        message.encode(to: &body)
        // The reply only frees the request's slot; a failure means the connection is closing,
        // which the dialler notices.
        _ = try? connection.postNow(.peerMessage, body: body)
    }

    private func keepConnected(to peer: Peer) async {
        guard let link = links[peer.id] else { return }
        var backoff = Duration.milliseconds(50)
        var logger = self.logger
        logger[metadataKey: "repl.peer"] = "\(peer.id)"
        while !Task.isCancelled {
            let connection: WireConnection
            do {
                connection = try await WireClient.connect(host: peer.host, port: peer.port, identity: identity, logger: logger)
            } catch {
                logger.debug("peer unreachable", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(1))
                continue
            }
            backoff = .milliseconds(50)
            let attached = link.withLock { link -> Bool in
                guard !link.finished else { return false }
                for message in link.waiting { post(message, on: connection) }
                link.waiting = []
                link.connection = connection
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
            link.withLock { link in
                if link.connection === connection { link.connection = nil }
            }
            if Task.isCancelled { return }
            // What was sent on it and not yet received is lost; the protocol resends what matters.
            logger.info("peer connection lost", metadata: ["error": "\(reason)"])
        }
    }
}
