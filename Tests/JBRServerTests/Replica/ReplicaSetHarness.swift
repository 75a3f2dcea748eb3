import JBRCore
import NIOCore
@testable import JBRServer

/// A replica set of pure cores on an in-memory network, with in-memory journals and stores: the
/// scenario layer of STYLE item 18 (`cut`, `isolate`, `heal`). Carries out each output exactly
/// in the order `ReplicaOutput` prescribes; durability is immediate unless a node is told to lag.
struct ReplicaSetHarness {
    struct Node {
        var core: ReplicaCore
        var hardState = HardState()
        var journal: [LogEntry] = []
        /// What the store applied, in order, and how often each request was applied.
        var applied: [LogEntry] = []
        var applications: [RequestID: Int] = [:]
        /// What the store worker persists with its checkpoints (here: everything applied).
        var sessions = SessionTable(limit: 1024)
        var up = true
    }

    static let volume = VolumeID(bytes: Array(repeating: 9, count: 16))
    let members: [ReplicaID]
    var nodes: [ReplicaID: Node] = [:]
    /// Messages in flight, in send order.
    var network: [PeerEnvelope] = []
    /// Directed links that drop messages.
    var cut: Set<[ReplicaID]> = []
    var answers: [ClientToken: ClientAnswer] = [:]
    /// Every event every node reported, in order.
    var events: [(node: ReplicaID, event: ReplicaEvent)] = []
    var answeredBy: [ClientToken: ReplicaID] = [:]
    var clock = Timestamp(seconds: 1_700_000_000)
    var nextToken: UInt64 = 1
    var configure: (inout ReplicaConfiguration) -> Void
    let seed: UInt64
    /// Every (term, leader) seen, to check that no term has two leaders.
    var leadersByTerm: [Term: Set<ReplicaID>] = [:]

    init(size: Int = 3, seed: UInt64 = 1, configure: @escaping (inout ReplicaConfiguration) -> Void = { _ in }) {
        members = (0..<size).map { ReplicaID(UInt32($0)) }
        self.configure = configure
        self.seed = seed
        for id in members { nodes[id] = Node(core: makeCore(id, hardState: HardState(), journal: [], appliedThrough: .zero)) }
    }

    func makeCore(_ id: ReplicaID, hardState: HardState, journal: [LogEntry], appliedThrough: JournalIndex, sessions: SessionTable? = nil) -> ReplicaCore {
        var configuration = ReplicaConfiguration(volumeID: Self.volume, id: id, members: members)
        configure(&configuration)
        return ReplicaCore(
            configuration: configuration, hardState: hardState, last: journal.last?.position ?? .zero, termStarts: journal.termStarts,
            applied: appliedThrough, recent: Array(journal.dropFirst(Int(appliedThrough.rawValue))), sessions: sessions,
            seed: seed &+ UInt64(id.rawValue) &* 7919)
    }

    // MARK: Driving

    /// Inputs that carrying out an output causes (durability, apply results, journal reads),
    /// fed back in order after that output is done, as a shell's queue would.
    var followUps: [(ReplicaID, ReplicaInput)] = []

    mutating func step(_ id: ReplicaID, _ input: ReplicaInput) {
        followUps.append((id, input))
        guard followUps.count == 1 else { return }  // an outer call is already draining
        while let (node, next) = followUps.first {
            if nodes[node]!.up { carryOut(nodes[node]!.core.step(next), on: node) }
            followUps.removeFirst()
        }
    }

    /// Full resyncs the cores asked their shells for: (follower, leader).
    var resyncRequests: [(follower: ReplicaID, leader: ReplicaID)] = []

    mutating func carryOut(_ output: ReplicaOutput, on id: ReplicaID) {
        if let leader = output.startResync { resyncRequests.append((id, leader)) }
        if let hardState = output.hardState { nodes[id]!.hardState = hardState }
        events += output.events.map { (id, $0) }
        if let cut = output.truncateAfter {
            precondition(cut.rawValue >= UInt64(nodes[id]!.applied.count), "\(id) truncates applied entries")
            nodes[id]!.journal.removeLast(nodes[id]!.journal.count - Int(cut.rawValue))
        }
        for entry in output.append {
            precondition(entry.position.index.rawValue == UInt64(nodes[id]!.journal.count + 1), "\(id) journal gap at \(entry.position)")
            nodes[id]!.journal.append(entry)
        }
        if case .leader = nodes[id]!.core.role { leadersByTerm[nodes[id]!.core.term, default: []].insert(id) }
        for message in output.sendNow { send(message) }
        if !output.append.isEmpty, let last = nodes[id]!.journal.last {
            step(id, .persisted(through: last.position))
        }
        for message in output.sendAfterPersist { send(message) }
        for entry in output.apply { apply(entry, on: id) }
        for (token, answer) in output.replies {
            answers[token] = answer
            answeredBy[token] = id
        }
        for (follower, from, maxBytes) in output.readJournal {
            let journal = nodes[id]!.journal
            let entries = Array(journal.dropFirst(Int(from.rawValue) - 1).prefix { _ in true }.prefix(max(1, maxBytes / 64)))
            step(id, .journalEntries(for: follower, entries: entries))
        }
    }

    mutating func apply(_ entry: LogEntry, on id: ReplicaID) {
        nodes[id]!.applied.append(entry)
        var result: OperationResult?
        if let request = entry.request {
            nodes[id]!.applications[request, default: 0] += 1
            result = .success(.written(byteCount: UInt32(entry.position.index.rawValue), attributes: Self.attributes))
            nodes[id]!.sessions.recordApplied(request, result: result)
        }
        step(id, .applied(index: entry.position.index, result: result))
    }

    static let attributes = FileAttributes(
        gfid: .root, type: .directory, permissions: 0o755, linkCount: 2, owner: Owner(uid: 0, gid: 0), size: 0, blocks: 0,
        accessTime: Timestamp(seconds: 0), modificationTime: Timestamp(seconds: 0), changeTime: Timestamp(seconds: 0))

    mutating func send(_ message: PeerEnvelope) {
        guard !cut.contains([message.from, message.to]) else { return }
        network.append(message)
    }

    /// Delivers messages until none are left (or `limit` were delivered).
    mutating func deliver(limit: Int = 100_000) {
        var delivered = 0
        while !network.isEmpty, delivered < limit {
            let message = network.removeFirst()
            delivered += 1
            guard nodes[message.to]!.up, !cut.contains([message.from, message.to]) else { continue }
            step(message.to, .peer(message))
        }
    }

    /// Ticks every running node `count` times, delivering messages after each tick.
    mutating func tick(_ count: Int = 1) {
        for _ in 0..<count {
            clock = Timestamp(seconds: clock.seconds + 1)
            for id in members { step(id, .tick(now: clock)) }
            deliver()
        }
    }

    /// Ticks until some node leads (and returns it), at most `limit` ticks.
    mutating func electLeader(limit: Int = 200) -> ReplicaID? {
        for _ in 0..<limit {
            if let leader = leader { return leader }
            tick()
        }
        return leader
    }

    struct NoLeader: Error, CustomStringConvertible {
        var description: String { "no leader was elected" }
    }

    /// `electLeader()`, failing the test when none is.
    mutating func requireLeader(limit: Int = 200) throws -> ReplicaID {
        guard let leader = electLeader(limit: limit) else { throw NoLeader() }
        return leader
    }

    /// The running node that leads in the highest term, if any.
    var leader: ReplicaID? {
        members.filter { nodes[$0]!.up && nodes[$0]!.core.isLeader }.max { nodes[$0]!.core.term < nodes[$1]!.core.term }
    }

    // MARK: Clients

    mutating func write(_ request: RequestID, to id: ReplicaID, size: Int = 10) -> ClientToken {
        let token = ClientToken(nextToken)
        nextToken += 1
        let operation = FileOperation.write(gfid: GFID(high: 1, low: 2), offset: 0, data: ByteBuffer(repeating: 7, count: size))
        step(id, .clientWrite(ClientRequest(id: request, operation: operation), token: token, now: clock))
        return token
    }

    mutating func read(on id: ReplicaID) -> ClientToken {
        let token = ClientToken(nextToken)
        nextToken += 1
        step(id, .clientRead(token: token))
        return token
    }

    // MARK: Faults

    mutating func isolate(_ id: ReplicaID) {
        for other in members where other != id { cut.insert([id, other]); cut.insert([other, id]) }
    }

    mutating func heal() { cut = [] }

    /// Stops a node: what it had not made durable is gone (here everything appended is durable).
    mutating func crash(_ id: ReplicaID) {
        nodes[id]!.up = false
        network.removeAll { $0.to == id || $0.from == id }
    }

    /// Kills a node's process: it crashes, and its connections close, which every other node
    /// is told (`peerLost`), as the shell's peer links tell a real brick.
    mutating func kill(_ id: ReplicaID) {
        crash(id)
        for other in members where other != id { step(other, .peerLost(id)) }
    }

    /// Restarts a node from its journal, hard state and store.
    mutating func restart(_ id: ReplicaID) {
        let node = nodes[id]!
        nodes[id]!.core = makeCore(
            id, hardState: node.hardState, journal: node.journal, appliedThrough: JournalIndex(UInt64(node.applied.count)), sessions: node.sessions)
        nodes[id]!.up = true
    }

    // MARK: Invariants

    /// At most one leader per term; committed prefixes agree; stores equal the committed prefix.
    func checkInvariants() -> [String] {
        var problems: [String] = []
        for (term, leaders) in leadersByTerm where leaders.count > 1 { problems.append("term \(term) had leaders \(leaders)") }
        let commits = members.map { (id: $0, commit: nodes[$0]!.core.commitIndex) }
        for a in commits {
            for b in commits where a.id < b.id {
                let shared = Int(min(a.commit, b.commit).rawValue)
                if Array(nodes[a.id]!.journal.prefix(shared)) != Array(nodes[b.id]!.journal.prefix(shared)) {
                    problems.append("committed prefixes of \(a.id) and \(b.id) differ within \(shared)")
                }
            }
        }
        for id in members {
            let node = nodes[id]!
            if Array(node.journal.prefix(node.applied.count)) != node.applied { problems.append("\(id) applied entries that are not its journal's prefix") }
            for (request, count) in node.applications where count > 1 { problems.append("\(id) applied \(request) \(count) times") }
        }
        return problems
    }
}
