import NIOCore

/// What a brick says about itself: `jbr-client status` shows one line per brick.
public struct BrickStatus: Hashable, Sendable {
    public var replicaID: ReplicaID
    public var role: String
    public var term: Term
    public var leader: ReplicaID?
    public var last: LogPosition
    public var persisted: LogPosition
    public var commit: JournalIndex
    public var applied: JournalIndex
    public var journalBytes: UInt64
    /// A leader's view of how each follower is being brought up to date; empty on followers.
    public var followers: [FollowerRepair]
    /// The full resync rebuilding this brick's store, if it needs one.
    public var resync: ResyncProgress?

    public init(replicaID: ReplicaID, role: String, term: Term, leader: ReplicaID?, last: LogPosition, persisted: LogPosition,
                commit: JournalIndex, applied: JournalIndex, journalBytes: UInt64, followers: [FollowerRepair] = [], resync: ResyncProgress? = nil) {
        self.replicaID = replicaID
        self.role = role
        self.term = term
        self.leader = leader
        self.last = last
        self.persisted = persisted
        self.commit = commit
        self.applied = applied
        self.journalBytes = journalBytes
        self.followers = followers
        self.resync = resync
    }
}

/// How a leader is bringing one follower's journal up to date (reconciliation in progress).
public struct FollowerRepair: Hashable, Sendable {
    public enum State: UInt8, Hashable, Sendable, CaseIterable {
        /// Has everything the leader has sent; new entries stream to it.
        case inSync = 0
        /// Finding where its journal and the leader's agree (after a restart or a refusal).
        case probing = 1
        /// Receiving the committed entries it missed.
        case catchingUp = 2
        /// The leader is reading the entries it needs from its journal.
        case readingJournal = 3
        /// It needs entries the leader's journal no longer holds: only a full resync helps.
        case needsFullResync = 4
        /// The leader asked for its journal's terms and positions to plan its repair.
        case planning = 5
    }

    public var replicaID: ReplicaID
    /// The last index known to be durable on it and to match the leader.
    public var match: JournalIndex
    public var state: State

    public init(replicaID: ReplicaID, match: JournalIndex, state: State) {
        self.replicaID = replicaID
        self.match = match
        self.state = state
    }
}

extension BrickStatus: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(replicaID)
        buffer.writeLengthPrefixed(string: role)
        buffer.write(term)
        buffer.writeOptional(leader) { $0.write($1) }
        buffer.write(last)
        buffer.write(persisted)
        buffer.write(commit)
        buffer.write(applied)
        buffer.writeLittleEndian(journalBytes)
        buffer.writeLittleEndian(UInt8(followers.count))
        for follower in followers {
            buffer.write(follower.replicaID)
            buffer.write(follower.match)
            buffer.writeLittleEndian(follower.state.rawValue)
        }
        buffer.writeOptional(resync) { $0.write($1) }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(
            replicaID: try ReplicaID(from: &buffer),
            role: try buffer.readLengthPrefixedString(limit: 64, field: "role"),
            term: try Term(from: &buffer),
            leader: try buffer.readOptional(field: "leader") { buffer throws(DecodingError) in try ReplicaID(from: &buffer) },
            last: try LogPosition(from: &buffer),
            persisted: try LogPosition(from: &buffer),
            commit: try JournalIndex(from: &buffer),
            applied: try JournalIndex(from: &buffer),
            journalBytes: try buffer.readLittleEndian(UInt64.self, field: "journal bytes"),
            followers: try Self.readFollowers(from: &buffer),
            resync: try buffer.readOptional(field: "resync") { buffer throws(DecodingError) in try ResyncProgress(from: &buffer) })
    }

    private static func readFollowers(from buffer: inout ByteBuffer) throws(DecodingError) -> [FollowerRepair] {
        let count = try buffer.readLittleEndian(UInt8.self, field: "follower count")
        var followers: [FollowerRepair] = []
        for _ in 0..<count {
            let replicaID = try ReplicaID(from: &buffer)
            let match = try JournalIndex(from: &buffer)
            let offset = buffer.readerIndex
            let raw = try buffer.readLittleEndian(UInt8.self, field: "follower state")
            guard let state = FollowerRepair.State(rawValue: raw) else {
                throw DecodingError(.unknownTag(type: "follower state", tag: UInt64(raw)), offset: offset)
            }
            followers.append(FollowerRepair(replicaID: replicaID, match: match, state: state))
        }
        return followers
    }
}
