import JBRCore

/// A seeded, Raft-like history of one replica set's journals: elections that respect the vote
/// restriction, leaders that append a term-start record and then entries, followers that accept
/// appends by log matching, commits counted on a majority in the leader's own term. Then trims
/// and lost term tables, as crashes and checkpoints leave them.
struct RaftHistory {
    var replicas: [ModelReplica]
    /// The terms of the records committed anywhere, from index 1.
    var committed: [UInt64] = []
    var leader: Int?

    var quorum: Int { replicas.count / 2 + 1 }

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let count = Int.random(in: 1...5, using: &random)
        replicas = (0..<count).map { ModelReplica(id: ReplicaID(UInt32($0)), terms: [], commit: 0, applied: 0, firstRetained: 1) }
        var term: UInt64 = 0
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            term += UInt64.random(in: 1...2, using: &random)  // an election may fail and burn a term
            lead(term: term, random: &random)
        }
        for index in replicas.indices { checkpoint(index, random: &random) }
    }

    /// Raft's election restriction: a candidate wins only with votes of a majority whose logs
    /// are no more up to date than its own.
    private func isElectable(_ candidate: Int) -> Bool {
        replicas.filter { last(of: $0) <= last(of: replicas[candidate]) }.count >= quorum
    }

    private func last(of replica: ModelReplica) -> LogPosition {
        LogPosition(term: Term(replica.terms.last ?? 0), index: JournalIndex(replica.lastIndex))
    }

    private mutating func lead(term: UInt64, random: inout SplitMix64) {
        let electable = replicas.indices.filter(isElectable)
        let chosen = electable.randomElement(using: &random)!
        leader = chosen
        replicas[chosen].terms.append(term)  // the term-start record
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            replicas[chosen].terms += Array(repeating: term, count: Int.random(in: 0...3, using: &random))
            for follower in replicas.indices where follower != chosen && Bool.random(using: &random) {
                sendAppend(from: chosen, to: follower, random: &random)
            }
            advanceCommit(leader: chosen, term: term)
        }
    }

    /// The follower ends holding the leader's records through some point at or after their
    /// agreement (a message that stops short of a conflict changes nothing), and learns the
    /// leader's commit index as far as that point.
    private mutating func sendAppend(from leader: Int, to follower: Int, random: inout SplitMix64) {
        let source = replicas[leader].terms
        let agreed = zip(replicas[follower].terms, source).prefix { $0 == $1 }.count
        let reach = Int.random(in: agreed...source.count, using: &random)
        if reach > agreed { replicas[follower].terms = Array(source.prefix(reach)) }
        let learned = Swift.min(replicas[leader].commit, UInt64(reach))
        replicas[follower].commit = Swift.max(replicas[follower].commit, learned)
    }

    private mutating func advanceCommit(leader: Int, term: UInt64) {
        let log = replicas[leader].terms
        for index in stride(from: log.count, to: Int(replicas[leader].commit), by: -1) where log[index - 1] == term {
            let holders = replicas.filter { $0.terms.count >= index && $0.terms[index - 1] == term }.count
            guard holders >= quorum else { continue }
            replicas[leader].commit = UInt64(index)
            precondition(committed.elementsEqual(log.prefix(committed.count)), "generator broke Raft: committed \(committed), leader \(log)")
            if index > committed.count { committed = Array(log.prefix(index)) }
            return
        }
    }

    /// Applies part of what is committed, maybe trims what is applied, maybe loses the term table.
    private mutating func checkpoint(_ index: Int, random: inout SplitMix64) {
        var replica = replicas[index]
        replica.applied = UInt64.random(in: replica.commit / 2...replica.commit, using: &random)
        if Bool.random(using: &random) {
            replica.firstRetained = UInt64.random(in: replica.applied / 2...replica.applied, using: &random) + 1
            replica.termTableLost = replica.firstRetained > 1 && Int.random(in: 0..<4, using: &random) == 0
        }
        replicas[index] = replica
    }
}
