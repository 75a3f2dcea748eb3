import JBRCore
import Reconcile
import Testing

/// Random Raft-like histories (seeded; a failure names its seed): whatever subset of replicas
/// reports, with or without the leader named, the planner either waits for a majority or
/// produces a plan that, run on the journals, makes every reporter's journal the authority's
/// without removing a committed record. It never calls a valid history inconsistent.
@Suite struct PlannerPropertyTests {
    static let seedsPerBatch: UInt64 = 400

    @Test(arguments: 0..<UInt64(8))
    func randomHistoriesReconcile(batch: UInt64) {
        for seed in batch * Self.seedsPerBatch..<(batch + 1) * Self.seedsPerBatch {
            check(seed: seed)
        }
    }

    @discardableResult
    private func check(seed: UInt64) -> ReconciliationOutcome {
        let history = RaftHistory(seed: seed)
        var random = SplitMix64(seed: ~seed)
        var replicas = history.replicas
        if Bool.random(using: &random) {
            let size = UInt64.random(in: 1...4, using: &random)
            for index in replicas.indices { replicas[index].checksumRangeSize = size }
        }
        // Mostly a majority or more, sometimes fewer.
        let quorum = ReconciliationPlanner.majority(of: replicas.count)
        let heard = Int.random(in: 0..<4, using: &random) == 0
            ? Int.random(in: 0..<quorum, using: &random) : Int.random(in: quorum...replicas.count, using: &random)
        let leader = Bool.random(using: &random) ? history.leader.map { ReplicaID(UInt32($0)) } : nil
        var order = replicas.shuffled(using: &random)
        if let leader, Int.random(in: 0..<4, using: &random) > 0, let own = order.firstIndex(where: { $0.id == leader }) {
            order.insert(order.remove(at: own), at: 0)  // a leader usually hears itself
        }
        let reporters = Array(order.prefix(heard))
        let reports = reporters.map(\.report)
        let outcome = ReconciliationPlanner.plan(replicaCount: replicas.count, reports: reports, leader: leader)
        let context = "seed=\(seed) leader=\(leader.map(\.description) ?? "none") committed=\(history.committed)\n"
            + reporters.map(\.description).joined(separator: "\n") + "\n\(outcome)"

        let reversed = ReconciliationPlanner.plan(replicaCount: replicas.count, reports: reports.reversed(), leader: leader)
        #expect(outcome == reversed, "the order of reports changed the outcome: \(context)")

        let comparable = reports.filter(\.hasComparableLast).count
        let reporting = Set(reports.map(\.replica))
        if comparable < quorum {
            let silent = replicas.map(\.id).filter { !reporting.contains($0) }
            #expect(outcome == .undecided(waitingFor: silent, reason: outcome.undecidedReason ?? ""), "\(context)")
            return outcome
        }
        if let leader, !reporting.contains(leader) {
            #expect(outcome == .undecided(waitingFor: [leader], reason: outcome.undecidedReason ?? ""), "\(context)")
            return outcome
        }
        guard case let .planned(plan) = outcome else {
            Issue.record("expected a plan: \(context)")
            return outcome
        }
        if let leader { #expect(plan.authority == leader, "\(context)") }
        #expect(reports.allSatisfy { $0.last <= plan.authorityLast || !$0.hasComparableLast }, "\(context)")
        var execution = PlanExecution(replicas, committed: history.committed)
        execution.run(plan, reporting: reporting)
        #expect(execution.violations.isEmpty, "\(execution.violations)\n\(context)")
        return outcome
    }

    /// The generator itself must explore: failovers with divergent tails, trims, lost tables.
    @Test func historiesCoverTheInterestingShapes() {
        var divergent = 0, trimmed = 0, tableLost = 0, fiveReplicas = 0
        for seed in 0..<Self.seedsPerBatch {
            let history = RaftHistory(seed: seed)
            let logs = history.replicas.map(\.terms)
            if logs.contains(where: { log in logs.contains { !$0.starts(with: log) && !log.starts(with: $0) } }) { divergent += 1 }
            if history.replicas.contains(where: { $0.firstRetained > 1 }) { trimmed += 1 }
            if history.replicas.contains(where: \.termTableLost) { tableLost += 1 }
            if history.replicas.count == 5 { fiveReplicas += 1 }
        }
        #expect(divergent >= 20, "divergent histories: \(divergent)")
        #expect(trimmed >= 20, "trimmed histories: \(trimmed)")
        #expect(tableLost >= 5, "lost term tables: \(tableLost)")
        #expect(fiveReplicas >= 20, "five-replica histories: \(fiveReplicas)")
    }

    /// …and the checks must see every kind of answer, or they prove little.
    @Test func outcomesCoverEveryKindOfWork() {
        var counts: [String: Int] = [:]
        for seed in 0..<Self.seedsPerBatch {
            switch check(seed: seed) {
            case .undecided: counts["undecided", default: 0] += 1
            case .inconsistent: counts["inconsistent", default: 0] += 1
            case let .planned(plan):
                for action in plan.directives.flatMap(\.actions) {
                    switch action {
                    case .truncate: counts["truncate", default: 0] += 1
                    case .replay: counts["replay", default: 0] += 1
                    case .fullResync: counts["fullResync", default: 0] += 1
                    }
                }
                counts["inSync", default: 0] += plan.directives.filter { $0.work == .inSync }.count
                counts["pending", default: 0] += plan.directives.filter { $0.work == .pending }.count
            }
        }
        for kind in ["undecided", "truncate", "replay", "fullResync", "inSync", "pending"] {
            #expect(counts[kind, default: 0] >= 10, "\(kind): \(counts)")
        }
        #expect(counts["inconsistent"] == nil)
    }
}

extension ReconciliationOutcome {
    var undecidedReason: String? {
        if case let .undecided(_, reason) = self { return reason }
        return nil
    }
}
