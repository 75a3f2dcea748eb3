import JBRCore
import Reconcile
import Testing
@testable import JBRServer

/// The leader plans each follower's repair from its report (on election and when it returns)
/// and holds client writes until its term's no-op commits.
@Suite struct ReplicaReconciliationTests {
    static let client = ClientID(bytes: Array(repeating: 0xC3, count: 16))
    func request(_ sequence: UInt64) -> RequestID { RequestID(client: Self.client, sequence: sequence) }

    func written(_ answer: ClientAnswer?) -> Bool {
        if case .result(.success) = answer { return true }
        return false
    }

    /// A set whose leader took 30 writes (all answered) while one follower was killed.
    func followerAwayThroughWrites(seed: UInt64) throws -> (set: ReplicaSetHarness, leader: ReplicaID, away: ReplicaID) {
        var set = ReplicaSetHarness(seed: seed)
        let leader = try set.requireLeader()
        set.tick(2)
        let away = set.members.first { $0 != leader }!
        set.kill(away)
        #expect(set.nodes[leader]!.core.followerRepairs.first { $0.replicaID == away }?.state == .planning)
        let tokens = (1...30).map { set.write(request(UInt64($0)), to: leader) }
        set.tick(2)
        #expect(tokens.allSatisfy { written(set.answers[$0]) }, "the other follower makes a majority")
        return (set, leader, away)
    }

    func plans(_ set: ReplicaSetHarness, by leader: ReplicaID, for follower: ReplicaID) -> [ReplicaDirective] {
        set.events.compactMap { node, event in
            if node == leader, case let .planned(peer, directive) = event, peer == follower { return directive }
            return nil
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aNewLeaderPlansEveryFollowerFromItsReportWithoutProbing(seed: UInt64) throws {
        var set = ReplicaSetHarness(seed: seed)
        let leader = try set.requireLeader()
        set.tick(2)
        for follower in set.members where follower != leader {
            let planned = plans(set, by: leader, for: follower)
            #expect(planned.count == 1, "one plan per follower per term")
            // A fresh set agrees on nothing but the empty journal: only the new term's no-op,
            // written after the election, is missing.
            #expect(planned.first?.actions == [.replay(from: JournalIndex(1), through: JournalIndex(1), source: leader)])
        }
        let probes = set.events.filter { if case .planRefused = $0.event { true } else { false } }
        #expect(probes.isEmpty)
        #expect(set.nodes[leader]!.core.followerRepairs.allSatisfy { $0.state == .inSync })
    }

    @Test func inAFiveBrickSetAFollowerIsPlannedOnceAMajorityReported() throws {
        var set = ReplicaSetHarness(size: 5, seed: 3)
        let leader = try set.requireLeader()
        set.tick(3)
        // The first report alone (with the leader's, two of five) decides nothing: it waits.
        #expect(set.events.contains { if case .planDeferred = $0.event { true } else { false } })
        let tokens = (1...5).map { set.write(request(UInt64($0)), to: leader) }
        set.tick(2)
        #expect(tokens.allSatisfy { written(set.answers[$0]) })
        for follower in set.members where follower != leader {
            #expect(plans(set, by: leader, for: follower).count == 1, "\(follower)")
        }
        #expect(set.nodes[leader]!.core.followerRepairs.allSatisfy { $0.state == .inSync })
        #expect(set.checkInvariants() == [])
    }

    @Test func anOldLeadersUncommittedTailIsPlannedAwayAndTheMissingRangeReplayed() throws {
        var set = ReplicaSetHarness(seed: 7)
        let old = try set.requireLeader()
        for sequence in 1...5 { _ = set.write(request(UInt64(sequence)), to: old) }
        set.tick(2)
        let committed = set.nodes[old]!.core.commitIndex
        set.isolate(old)
        let orphans = (6...9).map { set.write(request(UInt64($0)), to: old) }
        set.tick(40)
        let new = try #require(set.leader)
        #expect(new != old)
        let later = (10...14).map { set.write(request(UInt64($0)), to: new) }
        set.tick(2)
        #expect(later.allSatisfy { written(set.answers[$0]) })
        set.heal()
        set.tick(5)
        let planned = try #require(plans(set, by: new, for: old).last)
        // The old leader's tail (the four orphans) is divergent: cut after what was committed
        // in its term, then the new leader's entries replayed.
        guard case let .repair(actions) = planned.work, case let .truncate(after) = actions.first else {
            Issue.record("expected a truncate first, got \(planned)")
            return
        }
        #expect(after >= committed && after < set.nodes[old]!.journal.last!.position.index)
        #expect(actions.contains { if case .replay = $0 { true } else { false } })
        #expect(set.nodes[old]!.journal.map(\.position) == set.nodes[new]!.journal.map(\.position))
        let orphanRequests = Set((6...9).map { request(UInt64($0)) })
        #expect(!set.nodes[old]!.journal.contains { $0.request.map(orphanRequests.contains) ?? false }, "the tail is gone")
        #expect(orphans.allSatisfy { !written(set.answers[$0]) })
        #expect(set.checkInvariants() == [])
    }

    @Test func aFollowerThatWasAwayIsPlannedAgainWhenItReturns() throws {
        var (set, leader, away) = try followerAwayThroughWrites(seed: 5)
        set.restart(away)
        set.tick(4)
        let planned = try #require(plans(set, by: leader, for: away).last)
        // It missed the writes and lost nothing of its own: replay from where it stopped to the
        // leader's end (no writes came after it returned).
        let stopped = try #require(planned.agreesThrough)
        #expect(stopped.rawValue < 30, "it missed the writes")
        #expect(planned.actions == [.replay(from: stopped.next, through: set.nodes[leader]!.core.lastPosition.index, source: leader)])
        #expect(set.nodes[away]!.journal.map(\.position) == set.nodes[leader]!.journal.map(\.position))
        #expect(set.checkInvariants() == [])
    }

    @Test func aFollowerBehindTheLeadersTrimmedJournalIsPlannedAFullResync() throws {
        var (set, leader, away) = try followerAwayThroughWrites(seed: 10)
        // The leader's journal trimmed what the returning follower lacks.
        set.step(leader, .journalTrimmed(before: JournalIndex(20)))
        #expect(set.nodes[leader]!.core.report.firstRetained == JournalIndex(20))
        set.restart(away)
        set.tick(2)
        let planned = try #require(plans(set, by: leader, for: away).last)
        #expect(planned.actions == [.fullResync(source: leader, thenReplayFrom: JournalIndex(20))], "\(planned)")
        #expect(set.nodes[leader]!.core.followerRepairs.first { $0.replicaID == away }?.state == .needsFullResync)
        #expect(set.nodes[away]!.journal.count < 20, "nothing was sent that would leave a gap")
    }

    /// The follower is told to resync, asks its shell once, takes no appends and never
    /// campaigns meanwhile; once the store is installed at the leader's applied position it
    /// reports, and replication continues from there to the leader's end.
    @Test func aFollowerResyncsInFullThenCatchesUpByJournal() throws {
        var (set, leader, away) = try followerAwayThroughWrites(seed: 11)
        set.step(leader, .journalTrimmed(before: JournalIndex(20)))
        set.restart(away)
        let before = set.nodes[away]!.journal.count
        set.tick(6)
        #expect(set.resyncRequests.map(\.follower) == [away] && set.resyncRequests.map(\.leader) == [leader], "asked once: \(set.resyncRequests)")
        #expect(set.nodes[away]!.journal.count == before, "no append taken while the store is incomplete")
        // Cut off from everyone for longer than an election timeout: it would campaign if it could.
        let eventsBefore = set.events.count
        set.isolate(away)
        set.tick(40)
        set.heal()
        let campaigns = set.events.dropFirst(eventsBefore).filter { event in
            guard event.node == away else { return false }
            if case .becamePreCandidate = event.event { return true }
            if case .becameCandidate = event.event { return true }
            return false
        }
        #expect(campaigns.isEmpty, "a replica whose store is incomplete never campaigns: \(campaigns)")

        // What the shell does: the store and journal become the leader's tree at an applied
        // position A short of its end (still in its journal), and the core is told.
        let copied = Array(set.nodes[leader]!.applied.prefix(25))
        set.nodes[away]!.journal = copied
        set.nodes[away]!.applied = copied
        set.step(away, .resyncInstalled(floor: copied.last!.position, sessions: set.nodes[leader]!.sessions))
        set.tick(4)
        #expect(set.nodes[away]!.journal.count > 25, "it replayed from A + 1")
        #expect(set.nodes[away]!.journal.map(\.position) == set.nodes[leader]!.journal.map(\.position))
        #expect(set.nodes[leader]!.core.followerRepairs.first { $0.replicaID == away }?.state == .inSync)
        #expect(set.checkInvariants() == [])
    }

    /// A follower being rebuilt still follows: with the set's other follower gone, the leader
    /// keeps check-quorum and confirms reads (the reads a resync copies with) through it; and
    /// when the leader dies instead, its vote elects the last whole replica.
    @Test func aFollowerBeingResyncedCountsForQuorumReadsAndVotes() throws {
        var (set, leader, away) = try followerAwayThroughWrites(seed: 12)
        set.step(leader, .journalTrimmed(before: JournalIndex(20)))
        set.restart(away)
        set.tick(6)
        #expect(set.resyncRequests.map(\.follower) == [away])
        let whole = set.members.first { $0 != leader && $0 != away }!
        let snapshot = set

        set.kill(whole)
        set.tick(40)
        #expect(set.leader == leader && set.nodes[leader]!.core.term == snapshot.nodes[leader]!.core.term,
                "the leader kept its quorum through the follower being rebuilt")
        let read = set.read(on: leader)
        set.tick(2)
        #expect(set.answers[read] == .readReady, "a read is confirmed by the follower being rebuilt")

        set = snapshot
        set.kill(leader)
        // The shell's pull from the dead leader fails.
        set.step(away, .resyncFailed)
        set.tick(40)
        #expect(set.leader == whole, "the whole replica is elected with the rebuilt one's vote")
        let next = try #require(set.leader)
        #expect(set.resyncRequests.last.map { [$0.follower, $0.leader] } == [away, next], "the resync is asked of the next leader")
        #expect(set.nodes[next]!.core.followerRepairs.first { $0.replicaID == away }?.state == .needsFullResync)
        // Its term's no-op cannot commit before the rebuilt replica takes it, so reads wait;
        // the resync's own reads do not depend on them (the shell reads the store directly).
        let readOnNext = set.read(on: next)
        set.tick(4)
        #expect(set.answers[readOnNext] == nil)
        let copied = set.nodes[next]!.applied
        set.nodes[away]!.journal = copied
        set.nodes[away]!.applied = copied
        set.step(away, .resyncInstalled(floor: copied.last!.position, sessions: set.nodes[next]!.sessions))
        set.tick(4)
        #expect(set.answers[readOnNext] == .readReady, "the no-op committed once the rebuilt replica took it")
        #expect(set.nodes[away]!.journal.map(\.position) == set.nodes[next]!.journal.map(\.position))
        #expect(set.checkInvariants() == [])
    }

    @Test func aRepairCutShortByTheLeadersCrashIsFinishedByTheNext() throws {
        var set = ReplicaSetHarness(seed: 8) { configuration in
            // Small appends: the repair takes many round trips.
            configuration.maxAppendBytes = 256
            configuration.maxInflightBytesPerFollower = 512
        }
        let leader = try set.requireLeader()
        set.tick(2)
        let away = set.members.first { $0 != leader }!
        set.kill(away)
        let tokens = (1...60).map { set.write(request(UInt64($0)), to: leader) }
        set.tick(3)
        #expect(tokens.allSatisfy { written(set.answers[$0]) })
        set.restart(away)
        // One heartbeat, and only part of the repair gets through before the leader dies.
        set.step(leader, .tick(now: set.clock))
        set.deliver(limit: 12)
        let partial = set.nodes[away]!.journal.count
        #expect(partial > 1 && partial < set.nodes[leader]!.journal.count, "the repair was under way: \(partial) entries")
        set.kill(leader)
        set.tick(6)
        let next = try #require(set.leader)
        #expect(next != leader)
        #expect(set.nodes[away]!.journal.map(\.position) == set.nodes[next]!.journal.map(\.position))
        #expect(set.checkInvariants() == [])
    }

    @Test func writesWaitForTheNewTermsFirstEntryToCommit() throws {
        var set = ReplicaSetHarness(seed: 2)
        let old = try set.requireLeader()
        set.tick(2)
        set.kill(old)
        let first = set.members.first { $0 != old }!
        let second = set.members.last { $0 != old }!
        // The first in turn campaigns at its next tick. Deliver one message at a time and cut
        // the new leader off as soon as it is elected, before its report requests arrive.
        set.step(first, .tick(now: set.clock))
        while !set.nodes[first]!.core.isLeader, !set.network.isEmpty { set.deliver(limit: 1) }
        #expect(set.nodes[first]!.core.isLeader)
        let termStart = set.nodes[first]!.core.lastPosition.index
        set.isolate(first)
        let token = set.write(request(1), to: first)
        #expect(set.answers[token] == nil, "held, not sequenced")
        #expect(set.nodes[first]!.core.lastPosition.index == termStart, "nothing appended after the no-op")
        set.heal()
        set.tick(2)
        #expect(written(set.answers[token]))
        let entry = set.nodes[second]!.journal.first { $0.request == request(1) }
        #expect(entry.map { $0.position.index > termStart } == true)
        #expect(set.checkInvariants() == [])
    }

    @Test func heldWritesGetNoQuorumWhenTheNoOpCannotCommit() throws {
        var set = ReplicaSetHarness(seed: 4)
        let old = try set.requireLeader()
        set.tick(2)
        set.kill(old)
        set.tick(1)
        let leader = try #require(set.leader)
        let other = set.members.first { $0 != old && $0 != leader }!
        set.crash(other)
        let token = set.write(request(1), to: leader)
        set.tick(40)
        guard case let .result(.failure(error)) = set.answers[token] else {
            Issue.record("a held write was never answered")
            return
        }
        #expect([.noQuorum, .notLeader].contains(error.code))
    }

    @Test func aContradictoryReportLeavesTheFollowerToLogMatching() throws {
        var set = ReplicaSetHarness(seed: 6)
        let leader = try set.requireLeader()
        set.tick(2)
        let follower = set.members.first { $0 != leader }!
        set.kill(follower)
        // A report claiming more committed than the leader holds cannot be planned around.
        let last = set.nodes[leader]!.core.lastPosition
        let lying = ReplicaReport(
            replica: follower, termRanges: [.init(term: last.term, first: JournalIndex(1), last: last.index)], last: last,
            commitIndex: last.index, appliedThrough: last.index, firstRetained: JournalIndex(1))
        var faked = lying
        faked.commitIndex = JournalIndex(last.index.rawValue + 50)
        faked.appliedThrough = faked.commitIndex
        faked.last = LogPosition(term: last.term, index: faked.commitIndex)
        faked.termRanges = [.init(term: last.term, first: JournalIndex(1), last: faked.commitIndex)]
        set.step(leader, .peer(PeerEnvelope(
            volumeID: ReplicaSetHarness.volume, from: follower, to: leader, term: set.nodes[leader]!.core.term, message: .report(faked))))
        #expect(set.events.contains { $0.node == leader && { if case .planRefused = $0 { true } else { false } }($0.event) })
        #expect(set.nodes[leader]!.core.followerRepairs.first { $0.replicaID == follower }?.state == .probing)
    }
}
