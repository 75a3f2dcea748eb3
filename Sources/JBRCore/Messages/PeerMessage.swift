import NIOCore

/// What bricks of one replica set say to each other: elections and replication (Raft's
/// messages, with pre-vote), and a leader's reconciliation query. Every message travels in a
/// `PeerEnvelope` carrying the volume id, the sender and its term; a lower term always gets an
/// explicit answer (architecture rule 1).
public enum PeerMessage: Hashable, Sendable {
    /// "Would you vote for me in `term`?" Sent without raising the sender's term, so a replica cut
    /// off from the others cannot disturb a working leader when it returns (Raft thesis §9.6).
    case preVote(last: LogPosition)
    case preVoteResponse(granted: Bool)
    /// A real vote request in the envelope's term.
    case vote(last: LogPosition)
    case voteResponse(granted: Bool)
    /// Entries after `previous`, and the leader's commit index. Empty entries: a heartbeat.
    /// `readContext` (non-zero) asks the follower to echo it, confirming leadership for reads.
    case append(previous: LogPosition, entries: [LogEntry], commit: JournalIndex, readContext: UInt64)
    /// `success`: the follower's journal matches through `match` (durable). Otherwise `match` is
    /// the follower's last index and `conflict`, if known, the term and first index of that
    /// term at the rejected position, so the leader backs up a whole term at once.
    case appendResponse(success: Bool, match: JournalIndex, conflict: LogPosition?, readContext: UInt64)
    /// The sender's term is higher than the receiver's message: "you are stale".
    case staleTerm
    /// A new leader's first words to a follower, repeated until answered: "what does your
    /// journal hold?" It also keeps the follower's lease, as a heartbeat does.
    case reportRequest
    /// The answer: the follower's terms and positions, from which the leader plans its repair.
    case report(ReplicaReport)
    /// "The journal no longer reaches what you need: copy my tree (a full resync)." Repeated
    /// with every heartbeat until the follower's report shows it within `firstRetained`;
    /// `readContext` as an append's.
    case resyncRequired(firstRetained: JournalIndex, readContext: UInt64)
    /// A follower whose store is being rebuilt answers the leader's appends, questions and
    /// resync requests with this: it still follows (check-quorum counts it, and it confirms
    /// `readContext` for reads) but takes nothing until its resync is installed.
    case resyncUnderway(readContext: UInt64)

    public var name: String {
        switch self {
        case .preVote: "pre-vote"
        case .preVoteResponse: "pre-vote-response"
        case .vote: "vote"
        case .voteResponse: "vote-response"
        case .append: "append"
        case .appendResponse: "append-response"
        case .staleTerm: "stale-term"
        case .reportRequest: "report-request"
        case .report: "report"
        case .resyncRequired: "resync-required"
        case .resyncUnderway: "resync-underway"
        }
    }
}

/// A peer message with the facts every message carries.
public struct PeerEnvelope: Hashable, Sendable {
    public var volumeID: VolumeID
    public var from: ReplicaID
    public var to: ReplicaID
    /// The sender's term (for `preVote`: the term it would campaign in).
    public var term: Term
    public var message: PeerMessage

    public init(volumeID: VolumeID, from: ReplicaID, to: ReplicaID, term: Term, message: PeerMessage) {
        self.volumeID = volumeID
        self.from = from
        self.to = to
        self.term = term
        self.message = message
    }
}

extension PeerEnvelope: BinaryCodable {
    /// Entries in one append: bounded so a frame stays within the wire's body limit.
    public static let maxEntriesPerAppend = 65536

    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(volumeID)
        buffer.write(from)
        buffer.write(to)
        buffer.write(term)
        switch message {
        case let .preVote(last):
            buffer.writeLittleEndian(UInt8(1))
            buffer.write(last)
        case let .preVoteResponse(granted):
            buffer.writeLittleEndian(UInt8(2))
            buffer.writeBool(granted)
        case let .vote(last):
            buffer.writeLittleEndian(UInt8(3))
            buffer.write(last)
        case let .voteResponse(granted):
            buffer.writeLittleEndian(UInt8(4))
            buffer.writeBool(granted)
        case let .append(previous, entries, commit, readContext):
            buffer.writeLittleEndian(UInt8(5))
            buffer.write(previous)
            buffer.writeArray(entries) { $0.write($1) }
            buffer.write(commit)
            buffer.writeLittleEndian(readContext)
        case let .appendResponse(success, match, conflict, readContext):
            buffer.writeLittleEndian(UInt8(6))
            buffer.writeBool(success)
            buffer.write(match)
            buffer.writeOptional(conflict) { $0.write($1) }
            buffer.writeLittleEndian(readContext)
        case .staleTerm:
            buffer.writeLittleEndian(UInt8(7))
        case .reportRequest:
            buffer.writeLittleEndian(UInt8(8))
        case let .report(report):
            buffer.writeLittleEndian(UInt8(9))
            report.encode(to: &buffer)
        case let .resyncRequired(firstRetained, readContext):
            buffer.writeLittleEndian(UInt8(10))
            buffer.write(firstRetained)
            buffer.writeLittleEndian(readContext)
        case let .resyncUnderway(readContext):
            buffer.writeLittleEndian(UInt8(11))
            buffer.writeLittleEndian(readContext)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let volumeID = try VolumeID(from: &buffer)
        let from = try ReplicaID(from: &buffer)
        let to = try ReplicaID(from: &buffer)
        let term = try Term(from: &buffer)
        let offset = buffer.readerIndex
        let message: PeerMessage
        switch try buffer.readLittleEndian(UInt8.self, field: "peer message") {
        case 1: message = .preVote(last: try LogPosition(from: &buffer))
        case 2: message = .preVoteResponse(granted: try buffer.readBool(field: "granted"))
        case 3: message = .vote(last: try LogPosition(from: &buffer))
        case 4: message = .voteResponse(granted: try buffer.readBool(field: "granted"))
        case 5:
            message = .append(
                previous: try LogPosition(from: &buffer),
                entries: try buffer.readArray(limit: Self.maxEntriesPerAppend, field: "entries") { buffer throws(DecodingError) in try LogEntry(from: &buffer) },
                commit: try JournalIndex(from: &buffer),
                readContext: try buffer.readLittleEndian(UInt64.self, field: "read context"))
        case 6:
            message = .appendResponse(
                success: try buffer.readBool(field: "success"), match: try JournalIndex(from: &buffer),
                conflict: try buffer.readOptional(field: "conflict") { buffer throws(DecodingError) in try LogPosition(from: &buffer) },
                readContext: try buffer.readLittleEndian(UInt64.self, field: "read context"))
        case 7: message = .staleTerm
        case 8: message = .reportRequest
        case 9: message = .report(try ReplicaReport(from: &buffer))
        case 10:
            message = .resyncRequired(
                firstRetained: try JournalIndex(from: &buffer), readContext: try buffer.readLittleEndian(UInt64.self, field: "read context"))
        case 11: message = .resyncUnderway(readContext: try buffer.readLittleEndian(UInt64.self, field: "read context"))
        case let tag: throw DecodingError(.unknownTag(type: "peer message", tag: UInt64(tag)), offset: offset)
        }
        self.init(volumeID: volumeID, from: from, to: to, term: term, message: message)
    }
}
