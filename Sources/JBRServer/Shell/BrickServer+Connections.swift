import JBRCore
import Reconcile
import NIOCore
import Synchronization
import Wire

/// Hands each request the brick's server receives to the brick, on the connection's event loop
/// (no hand-off per request). The brick is attached once it exists; until then, and after it
/// stops, requests are told the brick is not serving and notices (peers' messages, which peers
/// send as soon as they connect) are dropped: there is nothing to answer them with, and the
/// replica protocol resends what matters.
final class RequestRouter: Sendable {
    private let brick = Mutex<BrickServer?>(nil)

    func attach(_ server: BrickServer?) { brick.withLock { $0 = server } }

    func route(_ frame: Frame, on connection: WireConnection) {
        guard let server = brick.withLock({ $0 }) else {
            guard frame.requestID != 0 else { return }
            try? connection.sendNow(.error(JBRError(.shuttingDown, "brick not serving"), requestID: frame.requestID))
            return
        }
        server.handle(frame, on: connection)
    }
}

extension BrickServer {
    /// Connections run on the server's own tasks and their requests reach `handle`; this only
    /// takes them off the server's queue of new connections until it closes.
    func acceptConnections() async {
        for await _ in server.connections {}
    }

    /// One request from a connection: peers' replica messages and clients' requests. Never
    /// blocks: what takes time is handed on (to the core, the store).
    func handle(_ frame: Frame, on connection: WireConnection) {
        do {
            switch connection.peer.role {
            case let .peer(id):
                switch frame.type {
                case .resyncBegin where frame.requestID != 0, .resyncPage where frame.requestID != 0, .resyncRead where frame.requestID != 0:
                    try serveResync(frame, from: id, on: connection)
                default: try receivePeerMessage(frame, from: id, on: connection)
                }
            case .client:
                guard frame.requestID != 0 else {
                    return connection.abort(JBRError(.protocolViolation, "a client sent a \(frame.type) notice; clients send requests"))
                }
                try receiveClientRequest(frame, on: connection)
            }
        } catch {
            // The answer could not be sent: the connection is closing, and its reader says why.
            logger.debug("request not answered", metadata: ["wire.peer": "\(connection.peer)", "error": "\(error)"])
        }
    }

    /// A peer's replica message, a notice (nothing answers it). One that breaks the rules ends
    /// the connection, telling the peer why: a notice has no reply to carry the error.
    private func receivePeerMessage(_ frame: Frame, from id: ReplicaID, on connection: WireConnection) throws {
        guard frame.type == .peerMessage, frame.requestID == 0 else {
            let what = frame.type == .peerMessage ? "a peer message as a request; they are notices" : "\(frame.type)"
            return connection.abort(JBRError(.protocolViolation, "a peer sent \(what)"))
        }
        var body = frame.body
        let envelope: PeerEnvelope
        do {
            envelope = try PeerEnvelope(from: &body)
            try body.expectFullyRead()
        } catch {
            return connection.abort(JBRError(.protocolViolation, "bad peer message: \(error)"))
        }
        // The handshake proved who is on the other end; a message may not claim to be another.
        guard envelope.from == id else {
            return connection.abort(JBRError(.protocolViolation, "\(id) sent a message as \(envelope.from)"))
        }
        core.submit(.peer(envelope))
    }

    private func receiveClientRequest(_ frame: Frame, on connection: WireConnection) throws {
        var body = frame.body
        do {
            switch frame.type {
            case .clientWrite:
                let request = try ClientRequest(from: &body)
                try body.expectFullyRead()
                metrics.writes.increment()
                let token = clients.register(.init(connection: connection, frame: frame, read: nil))
                core.submit(.clientWrite(request, token: token, now: Self.wallClock()))
            case .clientRead:
                let request = try ReadRequest(from: &body)
                try body.expectFullyRead()
                metrics.reads.increment()
                let token = clients.register(.init(connection: connection, frame: frame, read: request.operation))
                core.submit(.clientRead(token: token))
            case .status:
                var snapshot = status.withLock { $0 }
                if let need = snapshot.resync { snapshot.resync = resyncProgress.snapshot(waitingFor: need.source) }
                var reply = ByteBuffer()
                snapshot.encode(to: &reply)
                try connection.sendNow(Frame(type: .statusReply, requestID: frame.requestID, body: reply))
            case .reconReport:
                // An empty body (older tools) asks for no checksums.
                let request = body.readableBytes == 0 ? ReconReportRequest(rangeSize: 0) : try ReconReportRequest(from: &body)
                try body.expectFullyRead()
                // Checksums read journal headers: off the connection's reader, which must not block.
                Task.detached { [self] in
                    do {
                        var reply = ByteBuffer()
                        try reconciliationReport(request).encode(to: &reply)
                        try connection.sendNow(Frame(type: .reconReportReply, requestID: frame.requestID, body: reply))
                    } catch {
                        let failure = error as? JBRError ?? JBRError(.EIO, "report failed: \(error)")
                        try? connection.sendNow(.error(failure, requestID: frame.requestID))
                    }
                }
            case .reconcile:
                try body.expectFullyRead()
                let snapshot = status.withLock { $0 }
                guard snapshot.role == "leader" else {
                    let error = JBRError(.notLeader, "only the leader reconciles", leaderHint: snapshot.leader, term: snapshot.term)
                    return try connection.sendNow(.error(error, requestID: frame.requestID))
                }
                core.submit(.reconcileNow)
                try connection.sendNow(Frame(type: .reconcileReply, requestID: frame.requestID, body: ByteBuffer()))
            default:
                try connection.sendNow(.error(JBRError(.protocolViolation, "a client sent \(frame.type)"), requestID: frame.requestID))
            }
        } catch let error as DecodingError {
            try connection.sendNow(.error(JBRError(.protocolViolation, "bad \(frame.type) request: \(error)"), requestID: frame.requestID))
        }
    }
}
