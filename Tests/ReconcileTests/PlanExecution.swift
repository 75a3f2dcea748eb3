import JBRCore
import Reconcile

/// Runs a plan on model journals the way the executor will on real ones, and lists every way the
/// result breaks the planner's promises: each reporting replica ends equal to the authority, no
/// truncation removes a committed record, each step is executable where it stands.
struct PlanExecution {
    var replicas: [ReplicaID: ModelReplica]
    /// The terms of the records known committed, from index 1.
    var committed: [UInt64]
    var violations: [String] = []

    init(_ replicas: [ModelReplica], committed: [UInt64]) {
        self.replicas = Dictionary(uniqueKeysWithValues: replicas.map { ($0.id, $0) })
        self.committed = committed
    }

    /// The committed log the models themselves prove: the longest known-committed prefix.
    static func provenCommitted(_ replicas: [ModelReplica]) -> [UInt64] {
        let best = replicas.max { $0.knownCommitted < $1.knownCommitted }
        return best.map { Array($0.terms.prefix(Int($0.knownCommitted))) } ?? []
    }

    mutating func run(_ plan: ReconciliationPlan, reporting: Set<ReplicaID>) {
        guard let authority = replicas[plan.authority] else { return note("authority \(plan.authority) is not a replica") }
        if !committed.elementsEqual(authority.terms.prefix(committed.count)) {
            note("authority \(plan.authority) \(authority.terms) lacks committed records \(committed)")
        }
        if plan.committed.rawValue > UInt64(committed.count) {
            note("plan claims \(plan.committed) committed, only \(committed.count) are")
        }
        for directive in plan.directives {
            let reported = reporting.contains(directive.replica)
            if reported == (directive.work == .pending) { note("\(directive.replica): reported \(reported) but work \(directive.work)") }
            for action in directive.actions { perform(action, on: directive.replica, authority: authority) }
        }
        for id in reporting where replicas[id]?.terms != authority.terms {
            note("\(id) ends as \(replicas[id]!.terms), authority \(plan.authority) has \(authority.terms)")
        }
    }

    private mutating func perform(_ action: ReconciliationAction, on id: ReplicaID, authority: ModelReplica) {
        guard var replica = replicas[id] else { return note("\(id) is not a replica") }
        switch action {
        case let .truncate(after):
            let keep = Int(after.rawValue)
            guard keep < replica.terms.count, keep >= Int(replica.firstRetained) - 1 else {
                return note("\(id): truncate after \(after) outside its records \(replica)")
            }
            for offset in keep..<replica.terms.count where offset < committed.count && replica.terms[offset] == committed[offset] {
                note("\(id): truncate after \(after) removes committed record \(offset + 1) of term \(committed[offset])")
            }
            replica.terms.removeLast(replica.terms.count - keep)
        case let .replay(from, through, source):
            guard let origin = replicas[source] else { return note("\(id): replay from unknown \(source)") }
            guard from.rawValue == replica.lastIndex + 1, from.rawValue >= origin.firstRetained, through.rawValue <= origin.lastIndex else {
                return note("\(id): cannot replay \(from)...\(through) from \(origin) onto \(replica)")
            }
            replica.terms += origin.terms[Int(from.rawValue - 1)..<Int(through.rawValue)]
        case let .fullResync(source, thenReplayFrom):
            guard let origin = replicas[source], thenReplayFrom.rawValue == origin.firstRetained else {
                return note("\(id): cannot resync from \(source) then replay from \(thenReplayFrom)")
            }
            replica.terms = origin.terms
            replica.firstRetained = origin.firstRetained
        }
        replicas[id] = replica
    }

    private mutating func note(_ violation: String) { violations.append(violation) }
}
