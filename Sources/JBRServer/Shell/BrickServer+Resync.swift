import JBRCore
import Logging
import NIOCore
import Wire

/// Full resync between bricks' shells (the core decides when; see `ReplicaCore+Resync`).
///
/// The follower pulls, over a connection of its own to the leader: `resyncBegin` makes the
/// leader take its manifest (the tree at its applied position A, with the journal after A
/// pinned), `resyncPage` fetches it, and `resyncRead`s fetch the files' bytes.
/// The bytes may be newer than A; that is harmless, because the follower then replays the
/// journal from A + 1, and every content operation rewrites what it changed (the same argument
/// as a crash replay's). One request at a time, so the leader's clients keep their share.
extension BrickServer {
    static let resyncPageBytes = 1 << 20
    static let resyncReadBytes: UInt32 = 1 << 20
    static let resyncOfferHold = Duration.seconds(120)
    static let maxResyncManifestBytes = 256 << 20

    // MARK: Leader

    /// A follower's `resyncBegin` or `resyncPage`.
    func serveResync(_ frame: Frame, from follower: ReplicaID, on connection: WireConnection) throws {
        let snapshot = status.withLock { $0 }
        guard snapshot.role == "leader" else {
            let error = JBRError(.notLeader, "only the leader serves a resync", leaderHint: snapshot.leader, term: snapshot.term)
            return try connection.sendNow(.error(error, requestID: frame.requestID))
        }
        guard frame.type != .resyncBegin || frame.body.readableBytes == 0 else {
            return try connection.sendNow(.error(JBRError(.protocolViolation, "a resync begin carries no body"), requestID: frame.requestID))
        }
        if frame.type == .resyncRead { return try serveResyncRead(frame, from: follower, on: connection) }
        if frame.type == .resyncPage {
            var body = frame.body
            guard let id = body.readInteger(endianness: .little, as: UInt64.self),
                let offset = body.readInteger(endianness: .little, as: UInt64.self), body.readableBytes == 0
            else { return try connection.sendNow(.error(JBRError(.protocolViolation, "bad resync page request"), requestID: frame.requestID)) }
            guard let page = resyncOffers.page(id, for: follower, from: offset, maxBytes: Self.resyncPageBytes) else {
                return try connection.sendNow(.error(JBRError(.ESTALE, "resync offer \(id) lapsed; begin again"), requestID: frame.requestID))
            }
            storeWorker.retention?.pins.renew(follower, hold: Self.resyncOfferHold)
            var reply = ByteBuffer()
            reply.writeLengthPrefixed(buffer: page)
            return try connection.sendNow(Frame(type: .resyncPageReply, requestID: frame.requestID, body: reply))
        }
        // The manifest is taken on the store's thread; the connection's loop goes on.
        Task { [self] in
            do {
                let taken = try await storeWorker.resyncSnapshot(
                    for: follower, maxManifestBytes: Self.maxResyncManifestBytes, pinHold: Self.resyncOfferHold)
                let id = resyncOffers.add(taken.manifest, for: follower)
                logger.info("resync offered", metadata: [
                    "repl.peer": "\(follower)", "repl.position": "\(taken.position)", "resync.manifest-bytes": "\(taken.manifest.readableBytes)",
                ])
                var reply = ByteBuffer()
                reply.writeLittleEndian(id)
                reply.write(taken.position)
                reply.writeLengthPrefixed(buffer: taken.sessions)
                reply.writeLittleEndian(UInt64(taken.manifest.readableBytes))
                try connection.sendNow(Frame(type: .resyncBeginReply, requestID: frame.requestID, body: reply))
            } catch {
                let failure = (error as? StoreFailure)?.error ?? error as? JBRError ?? JBRError(.EIO, "resync manifest failed: \(error)")
                logger.error("cannot offer a resync", metadata: ["repl.peer": "\(follower)", "error": "\(failure)"])
                try? connection.sendNow(.error(failure, requestID: frame.requestID))
            }
        }
    }

    /// A piece of a file's bytes for a follower holding an offer, read from the store as it is.
    private func serveResyncRead(_ frame: Frame, from follower: ReplicaID, on connection: WireConnection) throws {
        var body = frame.body
        guard let id = body.readInteger(endianness: .little, as: UInt64.self) else {
            return try connection.sendNow(.error(JBRError(.protocolViolation, "bad resync read"), requestID: frame.requestID))
        }
        let request = try ReadRequest(from: &body)
        try body.expectFullyRead()
        guard case .read = request.operation else {
            return try connection.sendNow(.error(JBRError(.protocolViolation, "a resync reads file bytes only"), requestID: frame.requestID))
        }
        guard resyncOffers.use(id, for: follower) else {
            return try connection.sendNow(.error(JBRError(.ESTALE, "resync offer \(id) lapsed; begin again"), requestID: frame.requestID))
        }
        storeWorker.retention?.pins.renew(follower, hold: Self.resyncOfferHold)
        storeWorker.read(request.operation) { result in
            try? connection.sendNow(Frame(type: .resyncReadReply, requestID: frame.requestID, body: ClientRequests.encode(result)))
        }
    }

    // MARK: Follower

    /// Starts pulling a resync from `leader` unless one is running; its end goes to the core.
    func startResync(from leader: ReplicaID) {
        resyncTask.withLock { running in
            guard running == nil else { return }
            running = Task { [self] in
                resyncProgress.begin(from: leader)
                do {
                    let (floor, sessions) = try await pullResync(from: leader)
                    resyncProgress.end(succeeded: true)
                    core.submit(.resyncInstalled(floor: floor, sessions: sessions))
                } catch {
                    resyncProgress.end(succeeded: false)
                    logger.warning("full resync failed; asking again", metadata: ["repl.leader": "\(leader)", "error": "\(error)"])
                    // Not at once: the leader may be gone or busy.
                    try? await Task.sleep(for: .seconds(1))
                    core.submit(.resyncFailed)
                }
                resyncTask.withLock { $0 = nil }
            }
        }
    }

    private func pullResync(from leader: ReplicaID) async throws -> (LogPosition, SessionTable) {
        guard let peer = configuration.peers.first(where: { $0.replicaID == leader }) else {
            throw JBRError(.EINVAL, "\(leader) is not a peer of this brick")
        }
        // As this brick, beside its replica link: the leader serves the resync to this replica only.
        let connection = try await WireClient.connect(host: peer.host, port: peer.port, identity: peers.identity, group: eventLoopGroup, logger: logger)
        do {
            let result = try await pullResync(over: connection, from: leader)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    private func pullResync(over connection: WireConnection, from leader: ReplicaID) async throws -> (LogPosition, SessionTable) {
        var offer = try await connection.call(.resyncBegin, timeout: .seconds(300)).body
        guard let id = offer.readInteger(endianness: .little, as: UInt64.self) else { throw JBRError(.protocolViolation, "bad resync offer") }
        let position = try LogPosition(from: &offer)
        let sessions = try SessionTable.decode(try offer.readLengthPrefixedBuffer(limit: 1 << 30, field: "sessions"))
        guard let manifestBytes = offer.readInteger(endianness: .little, as: UInt64.self), offer.readableBytes == 0 else {
            throw JBRError(.protocolViolation, "bad resync offer")
        }
        // Never behind this journal: the resync empties it, and no entry it holds may be lost.
        let last = status.withLock { $0.last }
        guard position.index >= last.index, position.index > .zero else {
            throw JBRError(.EAGAIN, "the leader's tree at \(position) is behind this journal's end \(last)")
        }
        logger.info("full resync: emptying the store", metadata: ["repl.leader": "\(leader)", "repl.position": "\(position)"])
        resyncProgress.update {
            $0.position = position
            $0.manifestBytes = manifestBytes
        }
        try await storeWorker.emptyForResync()
        resyncProgress.update { $0.phase = .installingTree }

        // The manifest: the tree's objects, links, xattrs and stamps, installed as they come.
        var pending = ByteBuffer()
        var received: UInt64 = 0
        var contents: [(gfid: GFID, size: UInt64)] = []
        var contentBytes: UInt64 = 0
        var times: [(GFID, access: Timestamp, modification: Timestamp)] = []
        var objects = 0
        while received < manifestBytes {
            var page = try await connection.call(.resyncPage, body: Self.pageRequest(id, from: received)).body
            let chunk = try page.readLengthPrefixedBuffer(limit: Self.resyncPageBytes, field: "manifest page")
            guard chunk.readableBytes > 0 else { throw JBRError(.protocolViolation, "the manifest ended at \(received) of \(manifestBytes) bytes") }
            received += UInt64(chunk.readableBytes)
            pending.writeImmutableBuffer(chunk)
            var steps: [ResyncStep] = []
            while let step = try pending.takeStep() {
                switch step {
                case let .times(gfid, access, modification): times.append((gfid, access, modification))
                case let .content(gfid, size):
                    contents.append((gfid, size))
                    contentBytes += size
                case .operation, .stamp: steps.append(step)
                }
            }
            pending.discardReadBytes()
            objects += steps.count
            try await storeWorker.installResync(steps)
            resyncProgress.update { [received, contentBytes] progress in
                progress.manifestBytesDone = received
                progress.contentBytes = contentBytes
            }
        }
        guard pending.readableBytes == 0 else { throw JBRError(.protocolViolation, "the manifest ends inside a step") }
        logger.info("full resync: tree installed; fetching file contents", metadata: [
            "resync.steps": "\(objects)", "resync.files": "\(contents.count)", "resync.bytes": "\(contentBytes)",
        ])

        // The bytes, a piece at a time; each read keeps the offer (and the journal it pins) alive.
        var copied: UInt64 = 0
        resyncProgress.update { $0.phase = .copyingContents }
        for (gfid, _) in contents {
            var offset: UInt64 = 0
            reading: while true {
                var request = ByteBuffer()
                request.writeLittleEndian(id)
                request.write(ReadRequest(operation: .read(gfid: gfid, offset: offset, length: Self.resyncReadBytes)))
                var reply = try await connection.call(.resyncRead, body: request, timeout: .seconds(60)).body
                switch try ClientReply(from: &reply).result {
                case let .success(.data(data, endOfFile)):
                    if data.readableBytes > 0 { try await storeWorker.installResyncContent(gfid, offset: offset, data: data) }
                    offset += UInt64(data.readableBytes)
                    copied += UInt64(data.readableBytes)
                    resyncProgress.update { [copied] in $0.contentBytesDone = copied }
                    if endOfFile || data.readableBytes == 0 { break reading }
                case let .failure(error) where error.code == .ENOENT || error.code == .ESTALE:
                    // Removed since the manifest: the journal's replay removes it here too.
                    break reading
                case let .failure(error):
                    throw error
                case let .success(other):
                    throw JBRError(.protocolViolation, "a read answered \(other)")
                }
            }
        }
        resyncProgress.update { $0.phase = .finishing }
        try await journal.reset(toFloor: position)
        try await storeWorker.completeResync(at: position, sessions: sessions, times: times)
        logger.info("full resync installed", metadata: ["repl.position": "\(position)", "resync.bytes": "\(copied)"])
        return (position, sessions)
    }

    private static func pageRequest(_ id: UInt64, from offset: UInt64) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeLittleEndian(id)
        body.writeLittleEndian(offset)
        return body
    }
}
