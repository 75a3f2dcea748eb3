import JBRCore

extension ReconciliationPlanner {
    /// The report whose journal every other copies: the given leader's, or the greatest last
    /// position among a majority (ties: the lowest replica id). Refuses rather than guesses.
    static func chooseAuthority(_ reports: [ReplicaID: ReplicaReport], replicaCount: Int, leader: ReplicaID?) throws(Refusal) -> ReplicaReport {
        let silent = (0..<replicaCount).map { ReplicaID(UInt32($0)) }.filter { reports[$0] == nil }
        let comparable = reports.values.filter(\.hasComparableLast).sorted { $0.replica < $1.replica }
        let needed = majority(of: replicaCount)
        guard comparable.count >= needed else {
            var reason = "heard from \(reports.count) of \(replicaCount) replicas; choosing the authority needs \(needed) comparable reports"
            let unknown = reports.values.filter { !$0.hasComparableLast }.map(\.replica).sorted()
            if !unknown.isEmpty {
                reason += "; the last term of \(unknown.map(\.description).joined(separator: ", ")) is unknown (all records trimmed, term table lost)"
            }
            throw .undecided(waitingFor: silent, reason: reason)
        }
        // In id order, replaced only by a strictly greater position: the lowest id wins ties.
        let best = comparable.reduce(comparable[0]) { best, report in report.last > best.last ? report : best }
        guard let leader else { return best }
        guard leader.rawValue < replicaCount else {
            throw .inconsistent("leader \(leader) is not a member of a replica set of \(replicaCount)")
        }
        guard let own = reports[leader] else {
            throw .undecided(waitingFor: [leader], reason: "the leader \(leader)'s own report is missing")
        }
        guard own.hasComparableLast, own.last >= best.last else {
            throw .inconsistent(
                "leader \(leader) ends at \(own.last) but \(best.replica) ends at \(best.last): a leader elected by a majority "
                    + "holds the most up-to-date journal, so \(leader) is stale, planned before its term-start entry, or lost records")
        }
        return own
    }
}
