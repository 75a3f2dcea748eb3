import JBRCore

/// Decides, from the replicas' reports, what each replica must do so that every journal equals
/// the authoritative one. Pure: no I/O, no clock, no randomness; the same reports give the same
/// plan.
///
/// The authority is the reporter with the greatest last position (term, then index) among at
/// least a majority of the set. Every committed entry is durable on a majority, and any two
/// majorities meet, so some reporter holds it; the reporter whose last position is greatest then
/// holds every committed entry too (the argument behind Raft's election restriction, §5.4.1 and
/// §5.4.3, applied to reports instead of votes). With fewer than a majority the planner waits.
///
/// Divergence is found from term ranges, as Kafka's leader epochs do (KIP-101/279): the largest
/// term both journals hold ends their agreement, never a bare index. Ideas from Ceph's
/// `find_best_info` (a deterministic authority, `down` instead of a guess) and Raft's log matching.
public enum ReconciliationPlanner {
    /// Plans reconciliation of a replica set.
    ///
    /// - Parameters:
    ///   - replicaCount: replicas in the set, ids `0 ..< replicaCount`. Precondition: ≥ 1.
    ///   - reports: what the replicas that answered reported, in any order.
    ///   - leader: the elected leader running the plan, whose journal must be the authority; nil
    ///     for a cold start or an operator's view, where the most up-to-date reporter is chosen.
    ///     A leader must plan after its term-start entry is in its journal: only then is its last
    ///     position at least every other replica's.
    /// - Returns: a plan; `.undecided` when fewer than a majority reported comparable positions or
    ///   the leader's report is missing; `.inconsistent` when the reports contradict replication's
    ///   invariants (never planned around).
    public static func plan(replicaCount: Int, reports: [ReplicaReport], leader: ReplicaID? = nil) -> ReconciliationOutcome {
        precondition(replicaCount >= 1, "a replica set has at least one replica, not \(replicaCount)")
        do {
            return .planned(try makePlan(replicaCount: replicaCount, reports: reports, leader: leader))
        } catch {
            switch error {
            case let .undecided(waitingFor, reason): return .undecided(waitingFor: waitingFor, reason: reason)
            case let .inconsistent(description): return .inconsistent(description)
            }
        }
    }

    /// Why no plan was made; mirrors the refusing cases of `ReconciliationOutcome`.
    enum Refusal: Error {
        case undecided(waitingFor: [ReplicaID], reason: String)
        case inconsistent(String)
    }

    /// Replicas that must report before the authority can be chosen.
    public static func majority(of replicaCount: Int) -> Int { replicaCount / 2 + 1 }

    private static func makePlan(replicaCount: Int, reports: [ReplicaReport], leader: ReplicaID?) throws(Refusal) -> ReconciliationPlan {
        let byReplica = try checkedReports(reports, replicaCount: replicaCount)
        let authority = try chooseAuthority(byReplica, replicaCount: replicaCount, leader: leader)
        for report in byReplica.values.sorted(by: { $0.replica < $1.replica }) where report.knownCommitted > authority.last.index {
            throw .inconsistent(
                "\(report.replica) knows \(report.knownCommitted) committed but the authority \(authority.replica) ends at "
                    + "\(authority.last): committed entries are missing from the most up-to-date journal of a majority")
        }
        var directives: [ReplicaDirective] = []
        for id in (0..<replicaCount).map({ ReplicaID(UInt32($0)) }) {
            guard let report = byReplica[id] else {
                directives.append(ReplicaDirective(replica: id, work: .pending, last: nil, agreesThrough: nil))
                continue
            }
            directives.append(try directive(for: report, authority: authority))
        }
        let committed = byReplica.values.map(\.knownCommitted).max() ?? .zero
        return ReconciliationPlan(authority: authority.replica, authorityLast: authority.last, committed: committed, directives: directives)
    }

    /// The reports by replica, after checking each is a member, reported once and is well formed.
    private static func checkedReports(_ reports: [ReplicaReport], replicaCount: Int) throws(Refusal) -> [ReplicaID: ReplicaReport] {
        var byReplica: [ReplicaID: ReplicaReport] = [:]
        // In id order, so the same reports in any order give the same verdict.
        for report in reports.sorted(by: { $0.replica < $1.replica }) {
            guard report.replica.rawValue < replicaCount else {
                throw .inconsistent("\(report.replica) reported but is not a member of a replica set of \(replicaCount)")
            }
            guard byReplica[report.replica] == nil else { throw .inconsistent("\(report.replica) reported twice") }
            if let malformation = report.malformation { throw .inconsistent(malformation) }
            byReplica[report.replica] = report
        }
        return byReplica
    }

    private static func directive(for report: ReplicaReport, authority: ReplicaReport) throws(Refusal) -> ReplicaDirective {
        guard report.replica != authority.replica else {
            return ReplicaDirective(replica: report.replica, work: .authority, last: report.last, agreesThrough: report.last.index)
        }
        let agreed = try agreementPoint(of: report, with: authority)
        var actions: [ReconciliationAction] = []
        if agreed < authority.last.index, agreed.next < authority.firstRetained {
            // The records it needs are trimmed from the authority: a full copy replaces its journal.
            actions.append(.fullResync(source: authority.replica, thenReplayFrom: authority.firstRetained))
        } else {
            if agreed < report.last.index { actions.append(.truncate(after: agreed)) }
            if agreed < authority.last.index {
                actions.append(.replay(from: agreed.next, through: authority.last.index, source: authority.replica))
            }
        }
        return ReplicaDirective(replica: report.replica, work: actions.isEmpty ? .inSync : .repair(actions), last: report.last, agreesThrough: agreed)
    }
}
