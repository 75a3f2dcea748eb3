import JBRCore

/// What a replica core is told: who it is, who its peers are, and every limit (STYLE item 17).
public struct ReplicaConfiguration: Sendable {
    public var volumeID: VolumeID
    public var id: ReplicaID
    /// Every voting member of the replica set, this replica included.
    public var members: [ReplicaID]
    /// Ticks without hearing from a leader before a follower campaigns (randomised up to twice
    /// this). Also the check-quorum period: a leader that has not heard from a majority in it
    /// steps down.
    public var electionTicks = 10
    /// When the connection to the leader is lost, the followers campaign in turn instead of
    /// waiting out the election timeout: the first (by member order, the old leader left out)
    /// after one tick, each next this many ticks later (at most `electionTicks`). A fixed order,
    /// not a random one, because they lose the leader at the same moment, and two that campaign
    /// together split the vote and wait a whole election timeout more.
    public var lostLeaderStaggerTicks = 2
    /// Ticks between a leader's heartbeats. Must be below `electionTicks`.
    public var heartbeatTicks = 1
    /// Entry bytes in one append message (at least one entry is always sent).
    public var maxAppendBytes = 1 << 20
    /// Entry bytes in a probe (an append sent while the leader looks for where a follower's
    /// journal agrees). Probes are often refused, and a follower back from an outage refuses
    /// every stale message still on the way, each refusal answered with a new probe: small
    /// probes keep that cheap; the entries flow at `maxAppendBytes` once the logs match.
    public var maxProbeBytes = 64 << 10
    /// Unacknowledged entry bytes per follower: bounds the bandwidth-delay product (with a 1 ms
    /// round trip, 8 MiB caps one follower at about 8 GB/s, far above a disk).
    public var maxInflightBytesPerFollower = 8 << 20
    /// Appended-but-uncommitted bytes before new writes get `overloaded`.
    public var maxUncommittedBytes = 64 << 20
    /// Writes a new leader holds until its term's first entry commits; more get `overloaded`.
    public var maxHeldWrites = 4096
    /// Entry bytes kept in memory for followers and apply; older entries are read back from the
    /// journal when a follower needs them.
    public var maxWindowBytes = 64 << 20
    /// Ticks a write may wait for commit before its client gets `noQuorum` (it may still
    /// commit; a retry with the same request id finds it).
    public var writeTimeoutTicks = 30
    /// Results remembered per client for deduplicating retries. A client keeps fewer requests
    /// than this in flight.
    public var resultsPerClient = 1024

    public init(volumeID: VolumeID, id: ReplicaID, members: [ReplicaID]) {
        precondition(members.contains(id), "\(id) is not a member of \(members)")
        precondition(Set(members).count == members.count, "duplicate members in \(members)")
        self.volumeID = volumeID
        self.id = id
        self.members = members
    }

    /// Members needed for a majority.
    public var quorum: Int { members.count / 2 + 1 }
    public var peers: [ReplicaID] { members.filter { $0 != id } }

    func validate() {
        precondition(heartbeatTicks >= 1 && heartbeatTicks < electionTicks, "heartbeat \(heartbeatTicks) must be below election \(electionTicks) ticks")
        precondition(lostLeaderStaggerTicks >= 1, "lost-leader stagger must be at least one tick")
        precondition(maxAppendBytes > 0 && maxInflightBytesPerFollower >= maxAppendBytes, "in-flight limit below one append")
        precondition(writeTimeoutTicks > 0 && resultsPerClient > 0)
    }
}

/// What a replica must persist before anything that depends on it leaves the process: its term
/// and whom it voted for in it (architecture rule 1).
public struct HardState: Hashable, Sendable {
    public var term: Term
    public var votedFor: ReplicaID?

    public init(term: Term = .zero, votedFor: ReplicaID? = nil) {
        self.term = term
        self.votedFor = votedFor
    }
}

/// An opaque handle the shell gives each client request, so replies find their way back.
public struct ClientToken: Hashable, Sendable {
    public var rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
}
