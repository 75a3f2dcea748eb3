import JBRCore
import Testing
@testable import JBRServer

@Suite struct ReplicaScenarioTests {
    static let client = ClientID(bytes: Array(repeating: 0xC1, count: 16))
    func request(_ sequence: UInt64) -> RequestID { RequestID(client: Self.client, sequence: sequence) }

    func written(_ answer: ClientAnswer?) -> Bool {
        if case .result(.success) = answer { return true }
        return false
    }

    func errorCode(_ answer: ClientAnswer?) -> JBRError.Code? {
        if case let .result(.failure(error)) = answer { return error.code }
        return nil
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func aLeaderIsElectedAndWritesCommitEverywhere(seed: UInt64) throws {
        var set = ReplicaSetHarness(seed: seed)
        let leader = try set.requireLeader()
        let tokens = (1...20).map { set.write(request(UInt64($0)), to: leader) }
        set.tick(3)
        #expect(tokens.allSatisfy { written(set.answers[$0]) })
        for id in set.members {
            // The term's no-op plus 20 writes, applied on every brick.
            #expect(set.nodes[id]!.applied.count == 21, "\(id)")
        }
        #expect(set.checkInvariants() == [])
    }

    @Test func followersRedirectClientsToTheLeader() throws {
        var set = ReplicaSetHarness()
        let leader = try set.requireLeader()
        set.tick(2)
        let follower = set.members.first { $0 != leader }!
        let token = set.write(request(1), to: follower)
        guard case let .result(.failure(error)) = set.answers[token] else {
            Issue.record("a follower took a write")
            return
        }
        #expect(error.code == .notLeader && error.leaderHint == leader)
        let read = set.read(on: follower)
        #expect(errorCode(set.answers[read]) == .notLeader)
    }

    @Test func anIsolatedLeaderIsReplacedAndItsUncommittedTailDiscarded() throws {
        var set = ReplicaSetHarness(seed: 7)
        let old = try set.requireLeader()
        for sequence in 1...5 { _ = set.write(request(UInt64(sequence)), to: old) }
        set.tick(2)
        set.isolate(old)
        // Written while cut off: never committed.
        let orphans = (6...9).map { set.write(request(UInt64($0)), to: old) }
        set.tick(40)
        let new = try #require(set.leader)
        #expect(new != old)
        #expect(!set.nodes[old]!.core.isLeader, "check-quorum made the isolated leader step down")
        #expect(orphans.allSatisfy { [.notLeader, .noQuorum].contains(errorCode(set.answers[$0])) }, "waiting clients were told")
        let fresh = set.write(request(20), to: new)
        set.tick(2)
        #expect(written(set.answers[fresh]))
        set.heal()
        set.tick(20)
        // The old leader's orphaned entries are gone, replaced by the new leader's log.
        #expect(set.nodes[old]!.journal == set.nodes[new]!.journal)
        #expect(!set.nodes[old]!.applied.contains { entry in entry.request.map { (6...9).contains($0.sequence) } ?? false })
        #expect(set.checkInvariants() == [])
    }

    @Test func aRetryAfterFailoverIsAppliedOnceAndGetsTheOriginalAnswer() throws {
        var set = ReplicaSetHarness(seed: 3)
        let old = try set.requireLeader()
        let first = set.write(request(1), to: old)
        set.tick(2)
        #expect(written(set.answers[first]))
        set.crash(old)
        set.tick(40)
        let new = try #require(set.leader)
        // The client did not see the answer (say) and retries with the same id on the new leader.
        let retry = set.write(request(1), to: new)
        set.tick(2)
        #expect(set.answers[retry] == set.answers[first], "the retry gets the original result")
        for id in set.members where id != old { #expect(set.nodes[id]!.applications[request(1)] == 1) }
        #expect(set.checkInvariants() == [])
    }

    @Test func aRetryOfAnUncommittedRequestWaitsForTheSameEntry() throws {
        var set = ReplicaSetHarness(seed: 11)
        let leader = try set.requireLeader()
        let followers = set.members.filter { $0 != leader }
        for follower in followers { set.cut.insert([leader, follower]) }
        let first = set.write(request(5), to: leader)
        let retry = set.write(request(5), to: leader)
        set.heal()
        set.tick(3)
        #expect(written(set.answers[first]) && written(set.answers[retry]))
        #expect(set.nodes[leader]!.applications[request(5)] == 1)
    }

    @Test func readsAreConfirmedByAMajorityAndWaitForApply() throws {
        var set = ReplicaSetHarness(seed: 5)
        let leader = try set.requireLeader()
        set.tick(3)
        _ = set.write(request(1), to: leader)
        let token = set.read(on: leader)
        // Not before a heartbeat round came back.
        #expect(set.answers[token] == nil)
        set.deliver()
        #expect(set.answers[token] == .readReady)
        // An isolated leader never confirms a read.
        set.isolate(leader)
        let lost = set.read(on: leader)
        set.tick(40)
        #expect(set.answers[lost] != .readReady)
        #expect(errorCode(set.answers[lost]) == .notLeader)
    }

    @Test func preVoteKeepsAReturningReplicaFromDisruptingTheLeader() throws {
        var set = ReplicaSetHarness(seed: 9)
        let leader = try set.requireLeader()
        set.tick(5)
        let term = set.nodes[leader]!.core.term
        let wanderer = set.members.first { $0 != leader }!
        set.isolate(wanderer)
        set.tick(100)
        // Its pre-votes failed, so its term did not climb.
        #expect(set.nodes[wanderer]!.core.term == term)
        set.heal()
        set.tick(20)
        #expect(set.leader == leader && set.nodes[leader]!.core.term == term, "the leader was not disturbed")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func whenTheLeadersConnectionsCloseTheFollowersElectOneWithoutWaitingOutTheTimeout(seed: UInt64) throws {
        var set = ReplicaSetHarness(seed: seed)
        let old = try set.requireLeader()
        for sequence in 1...3 { _ = set.write(request(UInt64(sequence)), to: old) }
        set.tick(2)
        let term = set.nodes[old]!.core.term
        set.kill(old)
        // The default election timeout is 10 to 20 ticks; the first follower in member order
        // campaigns after one, the next two ticks later.
        set.tick(2)
        let new = try #require(set.leader)
        #expect(new != old && new == set.members.first { $0 != old })
        #expect(set.nodes[new]!.core.term == term.next, "one election, no split vote")
        #expect(set.checkInvariants() == [])
    }

    @Test func whenTheFirstInTurnIsBehindTheNextOneWinsInItsTurn() throws {
        var set = ReplicaSetHarness(seed: 3)
        let old = try set.requireLeader()
        set.tick(2)
        let followers = set.members.filter { $0 != old }
        // The first in turn misses the last writes, so its pre-vote is refused.
        set.isolate(followers[0])
        let tokens = (1...3).map { set.write(request(UInt64($0)), to: old) }
        set.tick(1)
        #expect(tokens.allSatisfy { written(set.answers[$0]) })
        let term = set.nodes[old]!.core.term
        set.heal()
        set.kill(old)
        set.tick(4)
        #expect(set.leader == followers[1])
        #expect(set.nodes[followers[1]]!.core.term == term.next)
        #expect(set.checkInvariants() == [])
    }

    @Test func aLostLinkToALiveLeaderDisturbsNothing() throws {
        var set = ReplicaSetHarness(seed: 11)
        let leader = try set.requireLeader()
        set.tick(3)
        let term = set.nodes[leader]!.core.term
        let followers = set.members.filter { $0 != leader }
        // Only one follower's link broke: the other still hears the leader and refuses its
        // pre-vote. A lost link to a fellow follower means nothing at all.
        set.step(followers[0], .peerLost(leader))
        set.step(followers[1], .peerLost(followers[0]))
        #expect(set.nodes[followers[1]]!.core.leader == leader)
        set.tick(30)
        #expect(set.leader == leader && set.nodes[leader]!.core.term == term)
        for id in followers { #expect(set.nodes[id]!.core.term == term && set.nodes[id]!.core.leader == leader) }
    }

    @Test func withoutAMajorityWritesFailWithNoQuorumInBoundedTime() throws {
        var set = ReplicaSetHarness(seed: 13) { $0.writeTimeoutTicks = 8 }
        let leader = try set.requireLeader()
        set.tick(3)
        for follower in set.members where follower != leader { set.crash(follower) }
        let token = set.write(request(1), to: leader)
        set.tick(9)
        #expect([.noQuorum, .notLeader].contains(errorCode(set.answers[token])), "\(String(describing: set.answers[token]))")
        // And once a follower is back (and a leader with it), writes succeed again.
        let back = set.members.first { $0 != leader }!
        set.restart(back)
        set.tick(60)
        let newLeader = try #require(set.leader)
        let retry = set.write(request(1), to: newLeader)
        set.tick(3)
        #expect(written(set.answers[retry]))
    }

    @Test func anOverloadedLeaderPushesBack() throws {
        var set = ReplicaSetHarness(seed: 17) { $0.maxUncommittedBytes = 4096 }
        let leader = try set.requireLeader()
        set.tick(3)
        for follower in set.members where follower != leader { set.cut.insert([leader, follower]) }
        let tokens = (1...20).map { set.write(request(UInt64($0)), to: leader, size: 1000) }
        #expect(tokens.contains { errorCode(set.answers[$0]) == .overloaded })
    }

    @Test func aLaggingFollowerCatchesUpFromTheJournal() throws {
        var set = ReplicaSetHarness(seed: 21) { $0.maxWindowBytes = 2000 }
        let leader = try set.requireLeader()
        set.tick(3)
        let laggard = set.members.first { $0 != leader }!
        set.crash(laggard)
        for sequence in 1...60 { _ = set.write(request(UInt64(sequence)), to: leader, size: 200) }
        set.tick(3)
        #expect(set.nodes[leader]!.core.log.windowBase > .zero, "the window dropped old entries")
        set.restart(laggard)
        set.tick(30)
        #expect(set.nodes[laggard]!.journal == set.nodes[leader]!.journal)
        #expect(set.nodes[laggard]!.applied.count == set.nodes[leader]!.applied.count)
        #expect(set.checkInvariants() == [])
    }

    @Test func aSingleBrickSetLeadsAndCommitsAlone() throws {
        var set = ReplicaSetHarness(size: 1)
        let leader = try set.requireLeader()
        let token = set.write(request(1), to: leader)
        let read = set.read(on: leader)
        #expect(written(set.answers[token]))
        #expect(set.answers[read] == .readReady)
    }

    @Test func aRestartedBrickDoesNotVoteTwiceInATerm() throws {
        var set = ReplicaSetHarness(seed: 23)
        _ = try set.requireLeader()
        let voter = set.members[2]
        let term = set.nodes[voter]!.hardState.term
        let votedFor = set.nodes[voter]!.hardState.votedFor
        set.crash(voter)
        set.restart(voter)
        #expect(set.nodes[voter]!.core.hardState == HardState(term: term, votedFor: votedFor))
        // Another candidate asking in the same term is refused.
        let other = set.members.first { $0 != votedFor && $0 != voter }!
        set.step(voter, .peer(PeerEnvelope(volumeID: ReplicaSetHarness.volume, from: other, to: voter, term: term, message: .vote(last: LogPosition(term: term, index: JournalIndex(1000))))))
        let answer = set.network.last { $0.from == voter && $0.to == other }
        #expect(answer?.message == .voteResponse(granted: votedFor == other))
    }

    /// Many seeds, random crashes, restarts and partitions: the invariants hold throughout and
    /// every acknowledged write is in the final committed log.
    @Test(arguments: Array(100..<140) as [UInt64])
    func randomFaultsKeepTheInvariants(seed: UInt64) throws {
        var set = ReplicaSetHarness(seed: seed)
        var random = SplitMix64(seed: seed)
        var acknowledged: Set<UInt64> = []
        var tokens: [(UInt64, ClientToken)] = []
        var sequence: UInt64 = 0
        for _ in 0..<300 {
            switch Int.random(in: 0..<20, using: &random) {
            case 0:
                let victim = set.members.randomElement(using: &random)!
                if set.nodes[victim]!.up, set.members.filter({ set.nodes[$0]!.up }).count > 2 {
                    set.kill(victim)
                } else {
                    set.restart(victim)
                }
            case 4:
                // A link breaks while both ends live on.
                let pair = set.members.shuffled(using: &random).prefix(2)
                set.step(pair.first!, .peerLost(pair.last!))
            case 1:
                set.isolate(set.members.randomElement(using: &random)!)
            case 2, 3:
                set.heal()
            default:
                if let leader = set.leader {
                    sequence += 1
                    tokens.append((sequence, set.write(request(sequence), to: leader)))
                }
            }
            set.tick()
            let problems = set.checkInvariants()
            #expect(problems == [], "seed \(seed): \(problems)")
            if !problems.isEmpty { return }
        }
        for id in set.members where !set.nodes[id]!.up { set.restart(id) }
        set.heal()
        set.tick(80)
        for (sequence, token) in tokens where written(set.answers[token]) { acknowledged.insert(sequence) }
        let leader = try #require(set.leader, "seed \(seed): no leader after healing")
        let committed = Set(set.nodes[leader]!.journal.prefix(Int(set.nodes[leader]!.core.commitIndex.rawValue)).compactMap { $0.request?.sequence })
        #expect(acknowledged.isSubset(of: committed), "seed \(seed): acknowledged writes lost: \(acknowledged.subtracting(committed).sorted())")
        #expect(set.checkInvariants() == [], "seed \(seed)")
    }
}
