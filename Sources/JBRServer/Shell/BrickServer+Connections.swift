import JBRCore
import NIOCore
import Wire

extension BrickServer {
    /// Serves every accepted connection: peers' replica messages and clients' requests.
    func acceptConnections() async {
        await withDiscardingTaskGroup { group in
            for await connection in server.connections {
                group.addTask { await self.serve(connection) }
            }
        }
    }

    private func serve(_ connection: WireConnection) async {
        do {
            for try await frame in connection.requests {
                switch connection.peer.role {
                case let .peer(id): try await receivePeerMessage(frame, from: id, on: connection)
                case .client: try await receiveClientRequest(frame, on: connection)
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["wire.peer": "\(connection.peer)", "error": "\(error)"])
        }
    }

    private func receivePeerMessage(_ frame: Frame, from id: ReplicaID, on connection: WireConnection) async throws {
        guard frame.type == .peerMessage else {
            return try await connection.reply(to: frame, error: JBRError(.protocolViolation, "a peer sent \(frame.type)"))
        }
        var body = frame.body
        let envelope: PeerEnvelope
        do {
            envelope = try PeerEnvelope(from: &body)
            try body.expectFullyRead()
        } catch {
            return try await connection.reply(to: frame, error: JBRError(.protocolViolation, "bad peer message: \(error)"))
        }
        // The handshake proved who is on the other end; a message may not claim to be another.
        guard envelope.from == id else {
            return try await connection.reply(to: frame, error: JBRError(.protocolViolation, "\(id) sent a message as \(envelope.from)"))
        }
        inputs.yield(.peer(envelope))
        try await connection.reply(to: frame, type: .peerAccepted)
    }

    private func receiveClientRequest(_ frame: Frame, on connection: WireConnection) async throws {
        var body = frame.body
        do {
            switch frame.type {
            case .clientWrite:
                let request = try ClientRequest(from: &body)
                try body.expectFullyRead()
                metrics.writes.increment()
                let token = clients.register(.init(connection: connection, frame: frame, read: nil))
                inputs.yield(.clientWrite(request, token: token, now: Self.wallClock()))
            case .clientRead:
                let request = try ReadRequest(from: &body)
                try body.expectFullyRead()
                metrics.reads.increment()
                let token = clients.register(.init(connection: connection, frame: frame, read: request.operation))
                inputs.yield(.clientRead(token: token))
            case .status:
                var reply = ByteBuffer()
                status.withLock { $0 }.encode(to: &reply)
                try await connection.reply(to: frame, type: .statusReply, body: reply)
            case .reconReport:
                var reply = ByteBuffer()
                reconciliationReport().encode(to: &reply)
                try await connection.reply(to: frame, type: .reconReportReply, body: reply)
            default:
                try await connection.reply(to: frame, error: JBRError(.protocolViolation, "a client sent \(frame.type)"))
            }
        } catch let error as DecodingError {
            try await connection.reply(to: frame, error: JBRError(.protocolViolation, "bad \(frame.type) request: \(error)"))
        }
    }
}
