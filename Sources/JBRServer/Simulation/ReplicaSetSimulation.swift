import JBRCore
import NIOCore

/// A whole replica set in one thread, from one seed: the real replica cores, with the shell's
/// journal, store, network, timers and clients simulated in memory (the I/O the cores never
/// do). Faults from `SimulatedFault.plan` hit it while clients write and read; the invariants
/// are checked after every step, and at the end, healed, the set must converge.
///
/// Checked: at most one leader per term; a brick's commit index never goes back within a life;
/// every commit any brick reaches agrees with the set's committed log (which only grows);
/// every applied entry is that log's next; no request is applied twice by one store; every
/// acknowledged write is in the committed log at the index it was answered with; every read
/// sees every write acknowledged before it was invoked; a restarted brick's store is never
/// ahead of its journal; at the end all bricks hold and applied the same committed log.
public struct ReplicaSetSimulation {
    enum Happening {
        case tick(ReplicaID)
        case deliver(PeerEnvelope, life: Int)
        case synced(ReplicaID, life: Int, count: Int, last: LogPosition)
        case request(ReplicaID, life: Int, client: Int, token: ClientToken, write: ClientRequest?)
        case answer(client: Int, token: ClientToken, ClientAnswer)
        case attemptExpired(client: Int, token: ClientToken)
        case clientStarts(Int)
        case clientRetries(Int, invokedAt: Int64)
        case faultStarts(Int)
        case faultEnds(Int)
        case checkpoint(ReplicaID)
        case heal
    }

    struct Stop: Error {}

    static let volume = VolumeID(bytes: Array(repeating: 0x51, count: 16))

    let seed: UInt64
    let options: SimulationOptions
    let faults: [SimulatedFault]
    let members: [ReplicaID]
    var random: SplitMix64
    var schedule = SimulationSchedule<Happening>()
    var now: Int64 = 0
    var bricks: [SimulatedBrick]
    var clients: [SimulatedClient] = []
    var history = ClientHistory()
    /// Which client (and which operation, by invocation time) each token belongs to.
    var tokenOwners: [ClientToken: (client: Int, invokedAt: Int64)] = [:]
    var nextToken: UInt64 = 1
    var activeFaults: Set<Int> = []
    var healed = false
    /// The set's committed log: every brick's committed prefix must agree with it.
    var committed: [LogEntry] = []
    var committedIndexOfRequest: [RequestID: JournalIndex] = [:]
    var leadersByTerm: [Term: ReplicaID] = [:]
    var statistics = SimulationOutcome.Statistics()
    var trace: [String] = []
    var violation: SimulationOutcome.Violation?

    /// - Parameter faults: the plan to run; by default the seed's own.
    public init(seed: UInt64, options: SimulationOptions = SimulationOptions(), faults: [SimulatedFault]? = nil) {
        self.seed = seed
        self.options = options
        self.faults = faults ?? SimulatedFault.plan(seed: seed, options: options)
        members = (0..<options.replicas).map { ReplicaID(UInt32($0)) }
        random = SplitMix64(seed: seed)
        bricks = []
        bricks = members.map { id in SimulatedBrick(core: makeCore(id, hardState: HardState(), journal: [], applied: 0, sessions: nil, life: 0), resultsPerClient: 1024) }
    }

    func makeCore(_ id: ReplicaID, hardState: HardState, journal: [LogEntry], applied: Int, sessions: SessionTable?, life: Int) -> ReplicaCore {
        let configuration = ReplicaConfiguration(volumeID: Self.volume, id: id, members: members)
        let last = journal.last?.position ?? .zero
        return ReplicaCore(
            configuration: configuration, hardState: hardState.term >= last.term ? hardState : HardState(term: last.term), last: last,
            termStarts: journal.termStarts, applied: JournalIndex(UInt64(applied)), recent: Array(journal.dropFirst(applied)), sessions: sessions,
            seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(id.rawValue) &* 7919 &+ UInt64(life) &* 104_729)
    }

    // MARK: Running

    public mutating func run() -> SimulationOutcome {
        for brick in members {
            schedule.add(.tick(brick), at: Int64(random.next() % UInt64(options.tickMicroseconds)))
            schedule.add(.checkpoint(brick), at: options.checkpointMicroseconds + Int64(random.next() % 100_000))
        }
        for (index, fault) in faults.enumerated() {
            schedule.add(.faultStarts(index), at: fault.start)
            if case .clockJump = fault.kind {} else { schedule.add(.faultEnds(index), at: fault.end) }
        }
        for number in 0..<options.clients {
            clients.append(SimulatedClient(number: number, firstTarget: members[number % members.count]))
            schedule.add(.clientStarts(number), at: 200_000 + Int64(number) * 1000)
        }
        schedule.add(.heal, at: options.faultyMicroseconds)
        let end = options.faultyMicroseconds + options.healedMicroseconds
        do {
            while let (time, happening) = schedule.next(), time <= end {
                now = time
                statistics.events += 1
                try handle(happening)
            }
            try checkConvergence()
        } catch {}
        statistics.committedEntries = committed.count
        return SimulationOutcome(seed: seed, faults: faults, keptFaults: nil, violation: violation, statistics: statistics, trace: trace)
    }

    mutating func handle(_ happening: Happening) throws {
        switch happening {
        case let .tick(id):
            schedule.add(.tick(id), at: now + options.tickMicroseconds)
            guard available(id, else: nil) else { return }
            try step(id, .tick(now: wallClock(of: id)))
        case let .deliver(message, life):
            guard available(message.to, else: happening), bricks[index(message.to)].life == life else { return }
            // A cut that began while the message was on its way loses it too.
            guard !isCut(from: message.from, to: message.to) else { return statistics.messagesLost += 1 }
            try step(message.to, .peer(message))
        case let .synced(id, life, count, last):
            guard available(id, else: happening), bricks[index(id)].life == life else { return }
            try synced(id, count: count, last: last)
        case let .request(id, life, client, token, write):
            let brick = bricks[index(id)]
            guard brick.up, brick.life == life else {
                // Refused (or reset) at once: the client moves on without waiting out the attempt.
                return send(.answer(client: client, token: token, .result(.failure(JBRError(.connectionClosed, "brick down")))), delay: networkDelay())
            }
            guard available(id, else: happening) else { return }
            if let write {
                try step(id, .clientWrite(write, token: token, now: wallClock(of: id)))
            } else if options.sabotage == .servesReadsLocally {
                try reply(.readReady, to: token, from: id)
            } else {
                try step(id, .clientRead(token: token))
            }
        case let .answer(client, token, answer):
            try answered(client, token: token, answer)
        case let .attemptExpired(client, token):
            guard let pending = clients[client].pending, pending.token == token else { return }
            retry(client)
        case let .clientStarts(client):
            startOperation(client)
        case let .clientRetries(client, invokedAt):
            guard clients[client].pending?.invokedAt == invokedAt else { return }
            attempt(client)
        case let .faultStarts(index):
            guard !healed else { return }
            try faultStarts(index)
        case let .faultEnds(index):
            guard activeFaults.contains(index) else { return }
            try faultEnds(index)
        case let .checkpoint(id):
            schedule.add(.checkpoint(id), at: now + options.checkpointMicroseconds)
            guard available(id, else: nil) else { return }
            let position = index(id)
            bricks[position].checkpointedCount = bricks[position].applied.count
            bricks[position].checkpointedSessions = bricks[position].sessions
        case .heal:
            try heal()
        }
    }

    /// Whether the brick can take an event now: up, and not paused (then the event waits for it).
    mutating func available(_ id: ReplicaID, else deferred: Happening?) -> Bool {
        let brick = bricks[index(id)]
        guard brick.up else { return false }
        if brick.pausedUntil > now {
            if let deferred { schedule.add(deferred, at: brick.pausedUntil) }
            return false
        }
        return true
    }

    func index(_ id: ReplicaID) -> Int { Int(id.rawValue) }

    func wallClock(of id: ReplicaID) -> Timestamp {
        let micros = now + bricks[index(id)].clockOffset * 1_000_000
        return Timestamp(seconds: 1_700_000_000 + micros / 1_000_000, nanoseconds: UInt32((micros % 1_000_000 + 1_000_000) % 1_000_000) * 1000)
    }

    mutating func note(_ line: String) {
        guard options.traceLines > 0 else { return }
        if trace.count >= options.traceLines { trace.removeFirst(trace.count - options.traceLines + 1) }
        trace.append("\(SimulatedFault.format(now)) \(line)")
    }

    mutating func fail(_ invariant: String, _ detail: String) throws -> Never {
        violation = SimulationOutcome.Violation(invariant: invariant, detail: detail, time: now)
        note("VIOLATION \(invariant): \(detail)")
        throw Stop()
    }

    // MARK: A brick's step and its shell

    mutating func step(_ id: ReplicaID, _ input: ReplicaInput) throws {
        var inputs = [input]
        while !inputs.isEmpty {
            let next = inputs.removeFirst()
            guard bricks[index(id)].up else { return }
            let output = bricks[index(id)].core.step(next)
            inputs += try carryOut(output, on: id)
            try checkAfterStep(id)
        }
    }

    /// Does what the output asks, in its order; returns the inputs that follow at once (apply
    /// results, journal reads), as the shell feeds them back.
    mutating func carryOut(_ output: ReplicaOutput, on id: ReplicaID) throws -> [ReplicaInput] {
        let position = index(id)
        var followUps: [ReplicaInput] = []
        for event in output.events { record(event, on: id) }
        if let hardState = output.hardState { bricks[position].hardState = hardState }
        if let cut = output.truncateAfter {
            let keep = Int(cut.rawValue)
            if keep < bricks[position].applied.count { try fail("truncate-applied", "\(id) cut its journal after \(cut), below what its store applied") }
            bricks[position].journal.removeLast(max(0, bricks[position].journal.count - keep))
            bricks[position].durableCount = min(bricks[position].durableCount, keep)
            // Acknowledgements of what was cut must never leave.
            bricks[position].awaitingSync.removeAll { $0.count > keep }
        }
        if !output.append.isEmpty {
            for entry in output.append {
                if entry.position.index.rawValue != UInt64(bricks[position].journal.count + 1) {
                    try fail("journal-gap", "\(id) appended \(entry.position) after \(bricks[position].journal.count) entries")
                }
                bricks[position].journal.append(entry)
            }
            startSync(id)
        }
        // What the step committed joins the set's log before anything of it is applied.
        try checkAfterStep(id)
        for message in output.sendNow { sendPeer(message) }
        for message in output.sendAfterPersist {
            if bricks[position].durableCount >= bricks[position].journal.count || options.sabotage == .acknowledgesBeforeSync {
                sendPeer(message)
            } else {
                bricks[position].awaitingSync.append((bricks[position].journal.count, message))
            }
        }
        for entry in output.apply { followUps.append(try apply(entry, on: id)) }
        for (token, answer) in output.replies { try reply(answer, to: token, from: id) }
        for (follower, from, maxBytes) in output.readJournal {
            let journal = bricks[position].journal
            let first = Int(from.rawValue) - 1
            let entries = first < journal.count ? Array(journal[first...].prefix(max(1, maxBytes / 256))) : []
            followUps.append(.journalEntries(for: follower, entries: entries))
        }
        if output.startResync != nil { try fail("unexpected-resync", "\(id) asked for a full resync, though no journal was trimmed") }
        return followUps
    }

    mutating func record(_ event: ReplicaEvent, on id: ReplicaID) {
        switch event {
        case let .becameLeader(term):
            statistics.leadersElected += 1
            note("\(id) leads term \(term)")
        case let .steppedDown(term, reason): note("\(id) steps down in term \(term): \(reason)")
        case let .planned(follower, directive): note("\(id) plans \(follower): \(directive)")
        default: break
        }
    }

    /// Group commit: one write and sync at a time covers everything appended before it began.
    mutating func startSync(_ id: ReplicaID) {
        let position = index(id)
        guard !bricks[position].syncing, bricks[position].durableCount < bricks[position].journal.count else { return }
        bricks[position].syncing = true
        let brick = bricks[position]
        schedule.add(.synced(id, life: brick.life, count: brick.journal.count, last: brick.journal.last!.position), at: now + diskLatency(for: id))
    }

    mutating func synced(_ id: ReplicaID, count: Int, last: LogPosition) throws {
        let position = index(id)
        bricks[position].syncing = false
        defer { startSync(id) }
        let journal = bricks[position].journal
        // Cut since (a truncation): what replaced it goes in the next sync.
        guard count <= journal.count, journal[count - 1].position == last else { return }
        bricks[position].durableCount = max(bricks[position].durableCount, count)
        let durable = bricks[position].durableCount
        let ready = bricks[position].awaitingSync.filter { $0.count <= durable }
        bricks[position].awaitingSync.removeAll { $0.count <= durable }
        try step(id, .persisted(through: last))
        for (_, message) in ready { sendPeer(message) }
    }

    mutating func apply(_ entry: LogEntry, on id: ReplicaID) throws -> ReplicaInput {
        let position = index(id)
        let index = Int(entry.position.index.rawValue)
        if index != bricks[position].applied.count + 1 {
            try fail("apply-order", "\(id) applied \(entry.position) after \(bricks[position].applied.count) entries")
        }
        guard index <= committed.count, committed[index - 1] == entry else {
            try fail("apply-uncommitted", "\(id) applied \(entry.position), which is not the set's committed entry \(index) (committed through \(committed.count))")
        }
        bricks[position].applied.append(entry)
        var result: OperationResult?
        if let request = entry.request {
            guard bricks[position].appliedRequests.insert(request).inserted else {
                try fail("applied-twice", "\(id) applied \(request) a second time, at \(entry.position)")
            }
            result = .success(.written(byteCount: UInt32(truncatingIfNeeded: index), attributes: Self.attributes))
            bricks[position].sessions.recordApplied(request, result: result)
        }
        return .applied(index: entry.position.index, result: result)
    }

    static let attributes = FileAttributes(
        gfid: .root, type: .directory, permissions: 0o755, linkCount: 2, owner: Owner(uid: 0, gid: 0), size: 0, blocks: 0,
        accessTime: Timestamp(seconds: 0), modificationTime: Timestamp(seconds: 0), changeTime: Timestamp(seconds: 0))

    /// After every step: one leader per term, commit only forward, and every commit agreeing
    /// with (and extending) the set's committed log.
    mutating func checkAfterStep(_ id: ReplicaID) throws {
        let position = index(id)
        let core = bricks[position].core
        if core.isLeader {
            if let other = leadersByTerm[core.term], other != id { try fail("two-leaders", "\(other) and \(id) both lead term \(core.term)") }
            leadersByTerm[core.term] = id
        }
        let commit = core.commitIndex
        guard commit != bricks[position].lastCommit else { return }
        if commit < bricks[position].lastCommit { try fail("commit-backwards", "\(id) commit went from \(bricks[position].lastCommit) to \(commit)") }
        bricks[position].lastCommit = commit
        let journal = bricks[position].journal
        let count = Int(commit.rawValue)
        guard count <= journal.count else { try fail("commit-beyond-journal", "\(id) commits \(commit) holding \(journal.count) entries") }
        // Log matching makes the entry at the boundary stand for the prefix before it; the
        // whole prefixes are compared at the end.
        let shared = min(count, committed.count)
        if shared > 0, journal[shared - 1] != committed[shared - 1] {
            try fail("committed-disagree", "\(id) holds \(journal[shared - 1].position) at \(shared), the set committed \(committed[shared - 1].position)")
        }
        if count > committed.count {
            for entry in journal[committed.count..<count] {
                if let request = entry.request { committedIndexOfRequest[request] = entry.position.index }
                committed.append(entry)
            }
        }
    }

    // MARK: Network

    mutating func networkDelay() -> Int64 { 20 + Int64(random.next() % 400) }

    mutating func send(_ happening: Happening, delay: Int64) { schedule.add(happening, at: now + delay) }

    func isCut(from: ReplicaID, to: ReplicaID) -> Bool {
        for fault in activeFaults.map({ faults[$0].kind }) {
            switch fault {
            case let .isolate(brick) where brick == from || brick == to: return true
            case let .cutOneWay(cutFrom, cutTo) where cutFrom == from && cutTo == to: return true
            default: continue
            }
        }
        return false
    }

    mutating func sendPeer(_ message: PeerEnvelope) {
        statistics.messagesSent += 1
        var loss = 0
        var duplication = 0
        var extraDelay: Int64 = 0
        for fault in activeFaults.map({ faults[$0].kind }) {
            switch fault {
            case let .lossy(perMille): loss = max(loss, perMille)
            case let .duplicating(perMille): duplication = max(duplication, perMille)
            case let .delaying(maximum): extraDelay = max(extraDelay, maximum)
            default: continue
            }
        }
        if isCut(from: message.from, to: message.to) || Int(random.next() % 1000) < loss { return statistics.messagesLost += 1 }
        let life = bricks[index(message.to)].life
        let copies = Int(random.next() % 1000) < duplication ? 2 : 1
        if copies == 2 { statistics.messagesDuplicated += 1 }
        for _ in 0..<copies {
            let delay = networkDelay() + (extraDelay > 0 ? Int64(random.next() % UInt64(extraDelay)) : 0)
            send(.deliver(message, life: life), delay: delay)
        }
    }

    mutating func diskLatency(for id: ReplicaID) -> Int64 {
        var latency = 100 + Int64(random.next() % 300)
        for fault in activeFaults.map({ faults[$0].kind }) {
            if case let .slowDisk(brick, slow) = fault, brick == id { latency = max(latency, slow) }
        }
        return latency
    }
}
