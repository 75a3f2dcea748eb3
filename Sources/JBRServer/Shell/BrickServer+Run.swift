import Foundation
import JBRCore
import Journal
import Logging
import NIOCore
import Wire

extension BrickServer {
    /// Serves until the calling task is cancelled, then shuts down cleanly. A failure the brick
    /// cannot serve through (its journal cannot write) also shuts it down, loudly, and is thrown.
    public func run() async throws {
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.runCore() }
                group.addTask { try await self.watchJournalFailures() }
                group.addTask { await self.peers.run() }
                group.addTask { await self.acceptConnections() }
                group.addTask { try await self.runTicks() }
                // The first task to end (a failure, or cancellation) ends the brick.
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            logger.critical("brick stopping on a failure", metadata: ["error": "\(error)"])
            failure = error
        }
        await shutdown()
        if let failure { throw failure }
    }

    private func shutdown() async {
        inputs.finish()
        journalFailures.finish()
        peers.finish()
        _ = clients.failAll(JBRError(.shuttingDown, "brick \(replica.id) is stopping"))
        router.attach(nil)
        await server.close()
        await metricsEndpoint?.close()
        await journal.close()
        await storeWorker.shutdown()
        logger.info("brick stopped")
    }

    private func runTicks() async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: tickInterval)
            inputs.yield(.tick(now: Self.wallClock()))
        }
    }

    static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(seconds: Int64(now.tv_sec), nanoseconds: UInt32(now.tv_nsec))
    }

    /// Owns the core: steps it and carries out each output in the order `ReplicaOutput` says.
    private func runCore() async throws {
        guard var core = startingCore.withLock({ $0.take() }) else { return }
        var appendedAt = CommitTimer()
        for await input in inputStream {
            let output = core.step(input)
            appendedAt.note(output, metrics: metrics)
            try await carryOut(output)
            let snapshot = Self.status(of: core, journalBytes: UInt64(journal.diskBytes))
            status.withLock { $0 = snapshot }
            metrics.record(snapshot, journal: journal.statistics)
        }
    }

    private func carryOut(_ output: ReplicaOutput) async throws {
        for event in output.events {
            log(event)
            metrics.record(event)
        }
        if let hardState = output.hardState {
            try HardStateFile.persist(hardState, in: stateDirectory.descriptor)
        }
        if let cut = output.truncateAfter {
            try await journal.truncate(after: cut)
        }
        if !output.append.isEmpty {
            try journal.append(contentsOf: output.append.map { JournalEntries.prepare($0, in: journal) })
        }
        for message in output.sendNow { peers.send(message) }
        if !output.append.isEmpty || !output.sendAfterPersist.isEmpty {
            sendOnceDurable(output.sendAfterPersist)
        }
        if let committed = output.committed { journal.noteCommitted(through: min(committed, journal.lastPosition.index)) }
        if !output.apply.isEmpty { storeWorker.apply(output.apply) }
        for (token, answer) in output.replies { deliver(answer, to: token) }
        for (follower, from, maxBytes) in output.readJournal { readJournal(for: follower, from: from, maxBytes: maxBytes) }
        for follower in output.resyncNeeded {
            logger.warning("follower needs a full resync, which is not built yet", metadata: ["repl.peer": "\(follower)"])
        }
    }

    /// Sends acknowledgements and votes once everything appended before them is durable, then
    /// tells the core how far the journal is durable. Run by the journal's writer right after
    /// its sync (no task hop on the way to the follower's acknowledgement); in order, so they
    /// leave in order. A truncation below meanwhile makes them wait for what is still there.
    private func sendOnceDurable(_ messages: [PeerEnvelope]) {
        let (journal, peers, inputs, failures) = (self.journal, self.peers, self.inputs, self.journalFailures)
        journal.whenDurable(journal.lastPosition.index) { failure in
            if let failure {
                failures.yield(failure)
                return
            }
            for message in messages { peers.send(message) }
            inputs.yield(.persisted(through: journal.durablePosition))
        }
    }

    /// A journal that cannot write ends the brick: it must not acknowledge what is not durable.
    private func watchJournalFailures() async throws {
        for await failure in journalFailureStream { throw failure }
    }

    private func readJournal(for follower: ReplicaID, from: JournalIndex, maxBytes: Int) {
        let journal = self.journal
        let inputs = self.inputs
        Task {
            do {
                let records = try journal.records(from: from, through: journal.durablePosition.index, maxBytes: maxBytes)
                inputs.yield(.journalEntries(for: follower, entries: try records.compactMap(JournalEntries.entry(from:))))
            } catch {
                inputs.yield(.journalUnavailable(for: follower, from: from))
            }
        }
    }

    private func deliver(_ answer: ClientAnswer, to token: ClientToken) {
        guard let waiting = clients.take(token) else { return }
        let elapsed = ContinuousClock.now - waiting.received
        (waiting.read == nil ? metrics.writeDuration : metrics.readDuration).recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if case .result(.failure) = answer { metrics.failures.increment() }
        // A reply that cannot be sent means the connection is closing; the client retries.
        switch answer {
        case let .result(result):
            try? waiting.connection.sendNow(Frame(type: .clientReply, requestID: waiting.frame.requestID, body: ClientRequests.encode(result)))
        case .readReady:
            guard let read = waiting.read else { return }
            storeWorker.read(read) { result in
                try? waiting.connection.sendNow(Frame(type: .clientReply, requestID: waiting.frame.requestID, body: ClientRequests.encode(result)))
            }
        }
    }

    private func log(_ event: ReplicaEvent) {
        switch event {
        case let .becameLeader(term): logger.info("became leader", metadata: ["repl.term": "\(term)"])
        case let .becameFollower(term, leader): logger.info("became follower", metadata: ["repl.term": "\(term)", "repl.leader": "\(leader.map { "\($0)" } ?? "none")"])
        case let .becameCandidate(term): logger.info("campaigning", metadata: ["repl.term": "\(term)"])
        case let .becamePreCandidate(term): logger.debug("pre-campaigning", metadata: ["repl.term": "\(term)"])
        case let .steppedDown(term, reason): logger.info("stepped down", metadata: ["repl.term": "\(term)", "reason": "\(reason)"])
        case let .droppedMessage(from, reason): logger.warning("dropped a peer message", metadata: ["repl.peer": "\(from)", "reason": "\(reason)"])
        case let .writeRefused(code): logger.debug("write refused", metadata: ["code": "\(code)"])
        }
    }
}

/// When each entry was appended here, until it commits: the commit-latency metric.
struct CommitTimer {
    private var pending: [(index: JournalIndex, at: ContinuousClock.Instant)] = []

    mutating func note(_ output: ReplicaOutput, metrics: BrickMetrics) {
        let now = ContinuousClock.now
        if let cut = output.truncateAfter { pending.removeAll { $0.index > cut } }
        for entry in output.append { pending.append((entry.position.index, now)) }
        guard let committed = output.committed else { return }
        while let first = pending.first, first.index <= committed {
            metrics.commitDuration.recordNanoseconds(Int64((now - first.at).seconds * 1e9))
            pending.removeFirst()
        }
    }
}
