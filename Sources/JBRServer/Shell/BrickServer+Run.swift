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
        let ticks = core.eventLoop.scheduleRepeatedTask(initialDelay: TimeAmount(tickInterval), delay: TimeAmount(tickInterval)) {
            [core, storageReserve, logger] _ in
            // Once a tick: a statvfs costs a microsecond, and a tick's writes rarely fill a reserve.
            if let low = storageReserve.change() {
                if low { logger.warning("brick is within its free-space reserve: writes that add data are refused (ENOSPC)") }
                core.submit(.storageLow(low))
            }
            core.submit(.tick(now: Self.wallClock()))
        }
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.watchFailures() }
                group.addTask { await self.peers.run() }
                group.addTask { await self.acceptConnections() }
                // The first task to end (a failure, or cancellation) ends the brick.
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            logger.critical("brick stopping on a failure", metadata: ["error": "\(error)"])
            failure = error
        }
        ticks.cancel()
        await shutdown()
        if let failure { throw failure }
    }

    private func shutdown() async {
        await core.stop()
        if let resync = resyncTask.withLock({ $0 }) {
            resync.cancel()
            await resync.value
        }
        failures.finish()
        peers.finish()
        _ = clients.failAll(JBRError(.shuttingDown, "brick \(replica.id) is stopping"))
        router.attach(nil)
        await server.close()
        await metricsEndpoint?.close()
        await journal.close()
        await storeWorker.shutdown()
        try? await eventLoopGroup.shutdownGracefully()
        logger.info("brick stopped")
    }

    static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(seconds: Int64(now.tv_sec), nanoseconds: UInt32(now.tv_nsec))
    }

    /// A failure that ends the brick: a journal that cannot write must not acknowledge what is
    /// not durable, and a core that could not carry out an output cannot go on.
    private func watchFailures() async throws {
        for await failure in failureStream { throw failure }
    }

    /// Sends acknowledgements and votes once everything appended before them is durable, then
    /// tells the core how far the journal is durable. Run by the journal's writer right after
    /// its sync (no task hop on the way to the follower's acknowledgement); in order, so they
    /// leave in order. A truncation below meanwhile makes them wait for what is still there.
    private func sendOnceDurable(_ messages: [PeerEnvelope]) {
        let (journal, peers, core, failures) = (self.journal, self.peers, self.core, self.failures)
        journal.whenDurable(journal.lastPosition.index) { failure in
            if let failure {
                failures.yield(failure)
                return
            }
            for message in messages { peers.send(message) }
            core.submit(.persisted(through: journal.durablePosition))
        }
    }

    private func readJournal(for follower: ReplicaID, from: JournalIndex, maxBytes: Int) {
        let (journal, core) = (self.journal, self.core)
        Task {
            do {
                let records = try journal.records(from: from, through: journal.durablePosition.index, maxBytes: maxBytes)
                core.submit(.journalEntries(for: follower, entries: try records.compactMap(JournalEntries.entry(from:))))
            } catch {
                core.submit(.journalUnavailable(for: follower, from: from))
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
            // Flushed at the end of the run, with the run's other replies on this connection.
            try? waiting.connection.sendNow(
                Frame(type: .clientReply, requestID: waiting.frame.requestID, body: ClientRequests.encode(result)), flush: false)
            endOfRun.value.clients[ObjectIdentifier(waiting.connection)] = waiting.connection
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
        case let .planned(follower, directive):
            // Repairs are worth an info line; a follower found in sync is not.
            let level: Logger.Level = directive.actions.isEmpty ? .debug : .info
            logger.log(level: level, "planned a follower's repair", metadata: ["repl.peer": "\(follower)", "plan": "\(directive)"])
        case let .planDeferred(follower, reason):
            logger.debug("repair not planned yet", metadata: ["repl.peer": "\(follower)", "reason": "\(reason)"])
        case let .resyncStarted(leader):
            logger.warning("this brick's store is rebuilt by a full resync", metadata: ["repl.leader": "\(leader)"])
        case let .resyncInstalled(floor):
            logger.info("full resync done; replication continues", metadata: ["repl.position": "\(floor)"])
        case let .planRefused(follower, reason):
            logger.error("reports contradict each other; the follower is repaired by log matching", metadata: ["repl.peer": "\(follower)", "reason": "\(reason)"])
        }
    }
}

extension BrickServer: ReplicaShell {
    func carryOutOnDisk(_ output: ReplicaOutput) async throws {
        if let hardState = output.hardState {
            try await persistWaitingForRoom(hardState)
        }
        if let cut = output.truncateAfter {
            try await journal.truncate(after: cut)
        }
    }

    /// A term or vote must be durable before the core acts on it, and a full disk is no reason
    /// for the brick to die (the nemesis found a follower exiting on ENOSPC here): the core waits,
    /// stepping nothing, as a paused brick does, and tries again until there is room.
    private func persistWaitingForRoom(_ hardState: HardState) async throws {
        var delay = Duration.milliseconds(20)
        var waited = false
        while true {
            do {
                try HardStateFile.persist(hardState, in: stateDirectory.descriptor)
                if waited { logger.notice("the term and vote are persisted: the disk has room again") }
                return
            } catch let failure as StoreFailure where failure.error.code == .ENOSPC || failure.error.code == .EDQUOT {
                if core.isStopped { throw failure }
                if !waited {
                    logger.error("cannot persist the term and vote; the brick waits for room", metadata: ["error": "\(failure)"])
                    waited = true
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            }
        }
    }

    func carryOutAtOnce(_ output: ReplicaOutput) throws {
        commitTimer.value.note(output, metrics: metrics)
        for event in output.events {
            log(event)
            metrics.record(event)
        }
        // Written at the end of the run, all the run's records in one write. A follower's
        // acknowledgements wait for its write and nothing else does: written by this thread, it
        // spares waking the writer thread and being woken back by it, on every write's way to
        // commit. A leader's go to the writer thread, woken once the run's sends are out, so
        // its loop serves meanwhile.
        if !output.append.isEmpty {
            try journal.append(contentsOf: output.append.map { JournalEntries.prepare($0, in: journal) }, wakeWriter: false)
            endOfRun.value.journal = !output.sendAfterPersist.isEmpty && output.sendNow.isEmpty ? .writeHere : .wakeWriter
        } else if !output.sendAfterPersist.isEmpty {
            endOfRun.value.journal = .writeHere
        }
        for message in output.sendNow { peers.send(message) }
        if !output.append.isEmpty || !output.sendAfterPersist.isEmpty {
            sendOnceDurable(output.sendAfterPersist)
        }
        if let committed = output.committed { journal.noteCommitted(through: min(committed, journal.lastPosition.index)) }
        endOfRun.value.apply.append(contentsOf: output.apply)
        for (token, answer) in output.replies { deliver(answer, to: token) }
        for (follower, from, maxBytes) in output.readJournal { readJournal(for: follower, from: from, maxBytes: maxBytes) }
        for follower in output.resyncNeeded {
            logger.warning("follower is past the journal's reach: it is told to resync in full", metadata: ["repl.peer": "\(follower)"])
        }
        if let leader = output.startResync { startResync(from: leader) }
    }

    func endOfSteps() {
        let run = endOfRun.value.take()
        // A leader's appends leave before anything else: the followers' writes run while ours does.
        peers.flush()
        for client in run.clients.values { client.flush() }
        switch run.journal {
        case .none: break
        case .wakeWriter: journal.wakeWriter()
        case .writeHere:
            // Acknowledgements that were waiting for this write leave right after it.
            journal.writePending()
            peers.flush()
        }
        // Last: a follower learns that an entry committed with the next one, and applying the
        // first must not delay acknowledging the second.
        if !run.apply.isEmpty { storeWorker.apply(run.apply) }
    }

    func publish(_ core: ReplicaCore) {
        let snapshot = Self.status(of: core, journalBytes: UInt64(journal.diskBytes))
        status.withLock { $0 = snapshot }
        metrics.record(snapshot, journal: journal.statistics)
    }

    func coreFailed(_ error: any Error) {
        failures.yield(error)
    }
}

/// What a run of core steps leaves for its end (`endOfSteps`).
struct EndOfRun {
    enum JournalWrite: Comparable {
        case none
        /// A leader's records: the writer thread writes them.
        case wakeWriter
        /// A follower's records (or a vote): its acknowledgements wait for the write, and
        /// nothing else does; this thread writes them.
        case writeHere
    }

    var journal = JournalWrite.none {
        // Once one step needs the write here, the run's write is here.
        didSet { journal = max(journal, oldValue) }
    }
    /// Client connections with replies written but not flushed.
    var clients: [ObjectIdentifier: WireConnection] = [:]
    /// Committed entries to apply, in order.
    var apply: [LogEntry] = []

    mutating func take() -> EndOfRun {
        defer { self = EndOfRun() }
        return self
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
