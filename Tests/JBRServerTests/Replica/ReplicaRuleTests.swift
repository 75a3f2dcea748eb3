import JBRCore
import Testing
@testable import JBRServer

/// Table tests of single rules of the core, one input at a time.
@Suite struct ReplicaRuleTests {
    static let volume = ReplicaSetHarness.volume
    static let leaderID = ReplicaID(0)
    static let followerID = ReplicaID(1)

    static func entry(_ term: UInt64, _ index: UInt64) -> LogEntry {
        LogEntry(position: LogPosition(term: Term(term), index: JournalIndex(index)),
                 payload: .termStart(TermStartEntry(leader: leaderID, sequencedAt: Timestamp(seconds: 0))))
    }

    /// A follower with a journal of the given terms (one entry per element), nothing applied.
    static func follower(terms: [UInt64], currentTerm: UInt64) -> ReplicaCore {
        let journal = terms.enumerated().map { entry($1, UInt64($0 + 1)) }
        var starts: [(Term, JournalIndex)] = []
        for entry in journal where starts.last?.0 != entry.position.term { starts.append((entry.position.term, entry.position.index)) }
        let configuration = ReplicaConfiguration(volumeID: volume, id: followerID, members: [ReplicaID(0), ReplicaID(1), ReplicaID(2)])
        return ReplicaCore(configuration: configuration, hardState: HardState(term: Term(currentTerm)), last: journal.last?.position ?? .zero,
                           termStarts: starts, recent: journal, seed: 1)
    }

    struct MatchCase: Sendable, CustomTestStringConvertible {
        var follower: [UInt64]
        var previous: (UInt64, UInt64)
        var entries: [UInt64]       // terms of the entries sent, from previous.index + 1
        var success: Bool
        var conflict: (UInt64, UInt64)?
        var resulting: [UInt64]
        var why: String
        var testDescription: String { why }
    }

    static let matchCases: [MatchCase] = [
        MatchCase(follower: [1, 1], previous: (1, 2), entries: [2], success: true, conflict: nil, resulting: [1, 1, 2], why: "matching previous: appended"),
        MatchCase(follower: [1], previous: (1, 3), entries: [2], success: false, conflict: nil, resulting: [1], why: "previous beyond the end: refused with the follower's end"),
        MatchCase(follower: [1, 1, 2, 2], previous: (3, 3), entries: [3], success: false, conflict: (2, 3), resulting: [1, 1, 2, 2], why: "term mismatch at previous: refused with the conflicting term's start"),
        MatchCase(follower: [1, 1, 2, 2], previous: (1, 2), entries: [3, 3], success: true, conflict: nil, resulting: [1, 1, 3, 3], why: "divergent uncommitted suffix replaced"),
        MatchCase(follower: [1, 1, 3], previous: (1, 1), entries: [1, 3], success: true, conflict: nil, resulting: [1, 1, 3], why: "entries already held are skipped, nothing cut"),
        MatchCase(follower: [1, 1, 3, 3], previous: (1, 2), entries: [3], success: true, conflict: nil, resulting: [1, 1, 3, 3], why: "a stale, shorter append never truncates matching entries"),
        MatchCase(follower: [], previous: (0, 0), entries: [1, 1], success: true, conflict: nil, resulting: [1, 1], why: "an empty journal takes entries from the start"),
    ]

    @Test(arguments: matchCases)
    func logMatching(_ c: MatchCase) {
        var core = Self.follower(terms: c.follower, currentTerm: 3)
        let entries = c.entries.enumerated().map { Self.entry($1, c.previous.1 + UInt64($0) + 1) }
        let output = core.step(.peer(PeerEnvelope(
            volumeID: Self.volume, from: Self.leaderID, to: Self.followerID, term: Term(3),
            message: .append(previous: LogPosition(term: Term(c.previous.0), index: JournalIndex(c.previous.1)), entries: entries, commit: .zero, readContext: 0))))
        let response = (output.sendNow + output.sendAfterPersist).first { $0.to == Self.leaderID }
        guard case let .appendResponse(success, _, conflict, _) = response?.message else {
            Issue.record("no append response: \(output)")
            return
        }
        #expect(success == c.success)
        #expect(conflict == c.conflict.map { LogPosition(term: Term($0.0), index: JournalIndex($0.1)) })
        let resulting = (1...max(1, core.lastPosition.index.rawValue)).compactMap { core.log.term(at: JournalIndex($0))?.rawValue }
        #expect(core.lastPosition.index.rawValue == UInt64(c.resulting.count))
        #expect(c.resulting.isEmpty || resulting == c.resulting)
        // A truncation is announced for the journal exactly when entries were replaced.
        let cut = c.resulting.count < c.follower.count || zip(c.follower, c.resulting).contains { $0 != $1 }
        #expect((output.truncateAfter != nil) == cut)
    }

    /// Raft's figure 8: a leader must not commit an entry of an earlier term by counting
    /// replicas; it commits it only together with an entry of its own term.
    @Test func earlierTermEntriesCommitOnlyWithTheLeadersOwn() {
        // Leader in term 4 with log [1, 2] (index 2 written in term 2 by an older leader).
        let configuration = ReplicaConfiguration(volumeID: Self.volume, id: Self.leaderID, members: [ReplicaID(0), ReplicaID(1), ReplicaID(2)])
        let journal = [Self.entry(1, 1), Self.entry(2, 2)]
        var core = ReplicaCore(configuration: configuration, hardState: HardState(term: Term(3)), last: journal.last!.position,
                               termStarts: [(Term(1), JournalIndex(1)), (Term(2), JournalIndex(2))], recent: journal, seed: 3)
        // Win an election in term 4.
        var output = ReplicaOutput()
        for _ in 0..<40 where !core.isLeader {
            output = core.step(.tick(now: Timestamp(seconds: 1)))
            for message in output.sendNow where message.message == .preVote(last: journal.last!.position) {
                output = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: message.to, to: Self.leaderID, term: message.term, message: .preVoteResponse(granted: true))))
                for vote in output.sendAfterPersist where vote.to == message.to {
                    output = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: vote.to, to: Self.leaderID, term: vote.term, message: .voteResponse(granted: true))))
                }
            }
        }
        #expect(core.isLeader && core.term == Term(4))
        _ = core.step(.persisted(through: core.lastPosition))  // the no-op at index 3 is durable here
        // A follower acknowledges index 2 only: a majority holds index 2, but it is of term 2.
        _ = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: ReplicaID(1), to: Self.leaderID, term: Term(4),
                                         message: .appendResponse(success: true, match: JournalIndex(2), conflict: nil, readContext: 0))))
        #expect(core.commitIndex == .zero, "index 2 (term 2) must not commit by counting")
        // Once the term-4 no-op at index 3 is on a majority, everything through it commits.
        _ = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: ReplicaID(1), to: Self.leaderID, term: Term(4),
                                         message: .appendResponse(success: true, match: JournalIndex(3), conflict: nil, readContext: 0))))
        #expect(core.commitIndex == JournalIndex(3))
    }

    @Test func staleTermsGetAnExplicitAnswerAndHigherTermsAreAdopted() {
        var core = Self.follower(terms: [1, 1], currentTerm: 5)
        let stale = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: Self.leaderID, to: Self.followerID, term: Term(4),
                                                 message: .append(previous: .zero, entries: [], commit: .zero, readContext: 0))))
        #expect(stale.sendNow.map(\.message) == [.staleTerm])
        #expect(stale.sendNow.first?.term == Term(5))
        let newer = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: Self.leaderID, to: Self.followerID, term: Term(7),
                                                 message: .append(previous: LogPosition(term: Term(1), index: JournalIndex(2)), entries: [], commit: .zero, readContext: 0))))
        #expect(newer.hardState == HardState(term: Term(7), votedFor: nil), "the new term is persisted")
        #expect(core.leader == Self.leaderID)
        let foreign = core.step(.peer(PeerEnvelope(volumeID: VolumeID(bytes: Array(repeating: 1, count: 16)), from: Self.leaderID, to: Self.followerID, term: Term(9), message: .staleTerm)))
        #expect(core.term == Term(7), "another volume's message changes nothing")
        #expect(foreign.events.contains { if case .droppedMessage = $0 { return true } else { return false } })
    }

    @Test func staleResponsesAreDroppedNotAnswered() {
        var core = Self.follower(terms: [1], currentTerm: 5)
        let output = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: Self.leaderID, to: Self.followerID, term: Term(4),
                                                  message: .voteResponse(granted: false))))
        #expect(output.sendNow.isEmpty && output.sendAfterPersist.isEmpty, "no staleTerm bounced back at a response")
        #expect(core.term == Term(5))
    }

    @Test func votesGoOnlyToUpToDateCandidatesOncePerTerm() {
        var core = Self.follower(terms: [1, 2, 2], currentTerm: 2)
        func ask(_ from: UInt32, term: UInt64, last: (UInt64, UInt64)) -> Bool? {
            let output = core.step(.peer(PeerEnvelope(volumeID: Self.volume, from: ReplicaID(from), to: Self.followerID, term: Term(term),
                                                      message: .vote(last: LogPosition(term: Term(last.0), index: JournalIndex(last.1))))))
            guard case let .voteResponse(granted) = output.sendAfterPersist.first?.message ?? output.sendNow.first?.message else { return nil }
            return granted
        }
        #expect(ask(0, term: 3, last: (1, 10)) == false, "a longer journal of an older term is less up to date")
        #expect(ask(0, term: 3, last: (2, 2)) == false, "a shorter journal of the same term is less up to date")
        #expect(ask(2, term: 3, last: (2, 3)) == true)
        #expect(ask(0, term: 3, last: (3, 9)) == false, "one vote per term")
        #expect(core.hardState == HardState(term: Term(3), votedFor: ReplicaID(2)))
    }
}
