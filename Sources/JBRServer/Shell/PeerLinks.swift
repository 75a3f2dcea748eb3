import JBRCore
import Logging
import NIOCore
import Wire

/// Outgoing connections to the other bricks of the replica set, one sender task each.
///
/// Messages to a peer queue up (the newest `queueLimit` kept: the replica protocol tolerates loss,
/// a leader resends what a follower lacks) and leave in order, posted without waiting a round
/// trip each. A lost connection is redialled with backoff; the protocol recovers what was lost.
final class PeerLinks: Sendable {
    struct Peer: Sendable {
        var id: ReplicaID
        var host: String
        var port: Int
    }

    private let queues: [ReplicaID: AsyncStream<PeerEnvelope>.Continuation]
    private let streams: [ReplicaID: AsyncStream<PeerEnvelope>]
    let peers: [Peer]
    let identity: WireIdentity
    let logger: Logger
    static let queueLimit = 4096

    init(peers: [Peer], identity: WireIdentity, logger: Logger) {
        var queues: [ReplicaID: AsyncStream<PeerEnvelope>.Continuation] = [:]
        var streams: [ReplicaID: AsyncStream<PeerEnvelope>] = [:]
        for peer in peers {
            let (stream, continuation) = AsyncStream.makeStream(of: PeerEnvelope.self, bufferingPolicy: .bufferingNewest(Self.queueLimit))
            queues[peer.id] = continuation
            streams[peer.id] = stream
        }
        self.queues = queues
        self.streams = streams
        self.peers = peers
        self.identity = identity
        self.logger = logger
    }

    func send(_ message: PeerEnvelope) {
        queues[message.to]?.yield(message)
    }

    /// Runs every sender until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask { await self.runSender(for: peer) }
            }
        }
    }

    func finish() {
        for queue in queues.values { queue.finish() }
    }

    private func runSender(for peer: Peer) async {
        var messages = streams[peer.id]!.makeAsyncIterator()
        var backoff = Duration.milliseconds(50)
        var carried: PeerEnvelope?
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
            logger.info("peer connected", metadata: ["peer.address": "\(peer.host):\(peer.port)"])
            do {
                while true {
                    if carried == nil { carried = await messages.next() }
                    guard let message = carried else { break }
                    var body = ByteBuffer()
                    message.encode(to: &body)
                    _ = try await connection.post(.peerMessage, body: body)
                    carried = nil
                }
                await connection.close()
                return
            } catch {
                logger.info("peer connection lost", metadata: ["error": "\(error)"])
                await connection.close()
                carried = nil  // the protocol resends what matters
            }
        }
    }
}
