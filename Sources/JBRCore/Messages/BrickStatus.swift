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

    public init(replicaID: ReplicaID, role: String, term: Term, leader: ReplicaID?, last: LogPosition, persisted: LogPosition,
                commit: JournalIndex, applied: JournalIndex, journalBytes: UInt64) {
        self.replicaID = replicaID
        self.role = role
        self.term = term
        self.leader = leader
        self.last = last
        self.persisted = persisted
        self.commit = commit
        self.applied = applied
        self.journalBytes = journalBytes
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
            journalBytes: try buffer.readLittleEndian(UInt64.self, field: "journal bytes"))
    }
}
