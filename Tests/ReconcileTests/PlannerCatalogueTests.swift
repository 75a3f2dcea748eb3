import JBRCore
import Reconcile
import Testing

/// The planner's decision table, in the manner of Ceph's TestPGLog: every replica's journal
/// written out (one digit per record: its term), then the plan expected for it. Columns line up,
/// so a case reads as a picture of the journals.
struct PlannerCase: Sendable, CustomTestStringConvertible {
    var name: String
    var replicaCount: Int
    var leader: UInt32?
    /// The replicas that answered; a silent replica is simply absent.
    var journals: [ModelReplica]
    var expected: Expected

    enum Expected: Sendable {
        /// The authority, the committed point, and each replica's work by id.
        case plan(authority: UInt32, committed: UInt64, work: [ReplicaDirective.Work])
        case undecided(waitingFor: [UInt32])
        /// The description must mention this.
        case inconsistent(mentioning: String)
    }

    init(_ name: String, replicas: Int = 3, leader: UInt32? = nil, _ journals: [ModelReplica], expect expected: Expected) {
        self.name = name
        self.replicaCount = replicas
        self.leader = leader
        self.journals = journals
        self.expected = expected
    }

    var testDescription: String { name }
}

extension PlannerCase {
    static let catalogue: [PlannerCase] = [
        PlannerCase("all in sync", leader: 0, [
            journal(0, "11 222", commit: 5),
            journal(1, "11 222", commit: 5),
            journal(2, "11 222", commit: 4),
        ], expect: .plan(authority: 0, committed: 5, work: [.authority, .inSync, .inSync])),

        PlannerCase("a follower that missed whole terms", leader: 0, [
            journal(0, "11 22 33 4", commit: 7),
            journal(1, "11 22 33 4", commit: 6),
            journal(2, "11", commit: 2),
        ], expect: .plan(authority: 0, committed: 7, work: [.authority, .inSync, .doing(replay(3...7, from: 0))])),

        // r0 led term 2 and wrote 3...5 alone; r1 and r2 moved on in term 3 without it.
        PlannerCase("an old leader's uncommitted tail in a term nobody else has", leader: 1, [
            journal(0, "11 222", commit: 2),
            journal(1, "11 333", commit: 5),
            journal(2, "11 333", commit: 4),
        ], expect: .plan(authority: 1, committed: 5, work: [.doing(truncate(after: 2), replay(3...5, from: 1)), .authority, .inSync])),

        // KIP-101's fast double failover: r0 led term 2 alone, r1 led term 3 and gave r2 one record,
        // r2 (as up to date as r0) led term 4. Three different tails.
        PlannerCase("fast double failover, leader given", leader: 2, [
            journal(0, "11 22", commit: 2),
            journal(1, "11 333", commit: 2),
            journal(2, "11 3 444", commit: 2),
        ], expect: .plan(authority: 2, committed: 2, work: [
            .doing(truncate(after: 2), replay(3...6, from: 2)),
            .doing(truncate(after: 3), replay(4...6, from: 2)),
            .authority,
        ])),

        PlannerCase("fast double failover, cold start without the newest leader", [
            journal(0, "11 22", commit: 2),
            journal(1, "11 333", commit: 2),
        ], expect: .plan(authority: 1, committed: 2, work: [.doing(truncate(after: 2), replay(3...5, from: 1)), .authority, .pending])),

        // Power lost everywhere: r0 led term 2 alone, r1 led term 3 and committed 4 with r2.
        PlannerCase("power loss, different tails, no leader", [
            journal(0, "111 22", commit: 3),
            journal(1, "111 333", commit: 4),
            journal(2, "111 3", commit: 3),
        ], expect: .plan(authority: 1, committed: 4, work: [
            .doing(truncate(after: 3), replay(4...6, from: 1)), .authority, .doing(replay(5...6, from: 1)),
        ])),

        PlannerCase("power loss, five replicas, all different", replicas: 5, [
            journal(0, "11 2", commit: 2),
            journal(1, "11 33", commit: 2),
            journal(2, "11 3 44", commit: 2),
            journal(3, "11 3 4", commit: 2),
            journal(4, "11", commit: 2),
        ], expect: .plan(authority: 2, committed: 2, work: [
            .doing(truncate(after: 2), replay(3...5, from: 2)),
            .doing(truncate(after: 3), replay(4...5, from: 2)),
            .authority,
            .doing(replay(5...5, from: 2)),
            .doing(replay(3...5, from: 2)),
        ])),

        PlannerCase("only a minority reports", [
            journal(0, "11 22", commit: 4),
        ], expect: .undecided(waitingFor: [1, 2])),

        PlannerCase("two of five report", replicas: 5, leader: 3, [
            journal(3, "11 22", commit: 4),
            journal(1, "11 22", commit: 4),
        ], expect: .undecided(waitingFor: [0, 2, 4])),

        PlannerCase("the leader's own report is missing", leader: 0, [
            journal(1, "11 22", commit: 4),
            journal(2, "11 22", commit: 4),
        ], expect: .undecided(waitingFor: [0])),

        PlannerCase("an empty journal (a new brick)", leader: 0, [
            journal(0, "11 22", commit: 4),
            journal(1, "11 22", commit: 4),
            journal(2, ""),
        ], expect: .plan(authority: 0, committed: 4, work: [.authority, .inSync, .doing(replay(1...4, from: 0))])),

        PlannerCase("every journal empty", [
            journal(0, ""),
            journal(1, ""),
        ], expect: .plan(authority: 0, committed: 0, work: [.authority, .inSync, .pending])),

        PlannerCase("what the replica needs is trimmed from the authority", leader: 0, [
            journal(0, ranges: "1:1-50 2:51-120", commit: 120, applied: 110, retained: 100),
            journal(1, ranges: "1:1-50 2:51-120", commit: 118, applied: 118, retained: 80),
            journal(2, ranges: "1:1-40", commit: 40, applied: 40, retained: 30),
        ], expect: .plan(authority: 0, committed: 120, work: [.authority, .inSync, .doing(resync(from: 0, thenReplayFrom: 100))])),

        PlannerCase("a divergent tail and a trimmed authority: resync replaces the tail", leader: 1, [
            journal(0, ranges: "1:1-40 2:41-45", commit: 40, applied: 40),
            journal(1, ranges: "1:1-40 3:41-60", commit: 60, applied: 60, retained: 50),
            journal(2, ranges: "1:1-40 3:41-60", commit: 55, applied: 55, retained: 41),
        ], expect: .plan(authority: 1, committed: 60, work: [.doing(resync(from: 1, thenReplayFrom: 50)), .authority, .inSync])),

        PlannerCase("replay starts exactly at the authority's first retained record", leader: 0, [
            journal(0, ranges: "1:1-50 2:51-60", commit: 60, applied: 60, retained: 41),
            journal(1, ranges: "1:1-40", commit: 40, applied: 40),
            journal(2, ranges: "1:1-50 2:51-60", commit: 60, applied: 60, retained: 41),
        ], expect: .plan(authority: 0, committed: 60, work: [.authority, .doing(replay(41...60, from: 0)), .inSync])),

        // r2's trimmed records have committed terms the authority's lost table cannot name.
        PlannerCase("the authority's term table was lost after trimming", [
            journal(0, "11111 222", commit: 8, applied: 6, retained: 6, tableLost: true),
            journal(1, "11111 2", commit: 5, applied: 5),
            journal(2, "111", commit: 3, applied: 3),
        ], expect: .plan(authority: 0, committed: 8, work: [
            .authority, .doing(replay(7...8, from: 0)), .doing(resync(from: 0, thenReplayFrom: 6)),
        ])),

        PlannerCase("a replica trimmed to nothing, its last term unknown, with a minority besides", [
            journal(0, "111", commit: 3, applied: 3, retained: 4, tableLost: true),
            journal(1, "111 2", commit: 3),
        ], expect: .undecided(waitingFor: [2])),

        PlannerCase("a replica trimmed to nothing, its last term unknown, with a majority besides", [
            journal(0, "111", commit: 3, applied: 3, retained: 4, tableLost: true),
            journal(1, "111 2", commit: 3),
            journal(2, "111 2", commit: 4),
        ], expect: .plan(authority: 1, committed: 4, work: [.doing(replay(4...4, from: 1)), .authority, .inSync])),

        PlannerCase("a truncate would cut a committed record", leader: 0, [
            journal(0, "11 33", commit: 4),
            journal(1, "11 22", commit: 4),
            journal(2, "11 33", commit: 4),
        ], expect: .inconsistent(mentioning: "would cut committed entries")),

        PlannerCase("an applied record would be cut", [
            journal(0, "11 33", commit: 2),
            journal(1, "11 2", commit: 2, applied: 3),
        ], expect: .inconsistent(mentioning: "truncating after i2 would cut committed entries")),

        PlannerCase("the given leader is behind another reporter", leader: 0, [
            journal(0, "11 2", commit: 2),
            journal(1, "11 33", commit: 2),
        ], expect: .inconsistent(mentioning: "leader r0 ends at (2,3) but r1 ends at (3,4)")),

        PlannerCase("a reporter knows more committed than the authority holds", [
            journal(0, "11111", commit: 5),
            journal(1, "11 3", commit: 2),
        ], expect: .inconsistent(mentioning: "r0 knows i5 committed but the authority r1 ends at (3,3)")),

        PlannerCase("one term started at two indexes", [
            journal(0, "11 222", commit: 2),
            journal(1, "111 22", commit: 2),
        ], expect: .inconsistent(mentioning: "term t1 ends at i3 on r1 but at i2 on the authority r0")),

        PlannerCase("replica set of 1", replicas: 1, leader: 0, [
            journal(0, "11 22", commit: 4),
        ], expect: .plan(authority: 0, committed: 4, work: [.authority])),

        PlannerCase("replica set of 1 that has not reported", replicas: 1, [],
                    expect: .undecided(waitingFor: [0])),

        PlannerCase("replica set of 5 with a silent replica", replicas: 5, leader: 0, [
            journal(0, "11 22 333", commit: 7),
            journal(1, "11 22 333", commit: 5),
            journal(2, "11 222", commit: 2),
            journal(3, "11", commit: 2),
        ], expect: .plan(authority: 0, committed: 7, work: [
            .authority, .inSync, .doing(truncate(after: 4), replay(5...7, from: 0)), .doing(replay(3...7, from: 0)), .pending,
        ])),

        PlannerCase("replica set of 4 needs 3 reports", replicas: 4, [
            journal(0, "11 2", commit: 2),
            journal(3, "11 2", commit: 3),
        ], expect: .undecided(waitingFor: [1, 2])),

        PlannerCase("replica set of 4 with 3 reports", replicas: 4, [
            journal(0, "11 2", commit: 2),
            journal(1, "11", commit: 2),
            journal(3, "11 2", commit: 3),
        ], expect: .plan(authority: 0, committed: 3, work: [.authority, .doing(replay(3...3, from: 0)), .pending, .inSync])),

        PlannerCase("tie without a leader: the lowest id", [
            journal(0, "11", commit: 2),
            journal(1, "11 22", commit: 2),
            journal(2, "11 22", commit: 3),
        ], expect: .plan(authority: 1, committed: 3, work: [.doing(replay(3...4, from: 1)), .authority, .inSync])),

        PlannerCase("tie with a leader: the leader", leader: 2, [
            journal(0, "11", commit: 2),
            journal(1, "11 22", commit: 2),
            journal(2, "11 22", commit: 3),
        ], expect: .plan(authority: 2, committed: 3, work: [.doing(replay(3...4, from: 2)), .inSync, .authority])),

        PlannerCase("a later term beats a longer log", [
            journal(0, "11 2222", commit: 2),
            journal(1, "11 3", commit: 2),
            journal(2, "11 3", commit: 2),
        ], expect: .plan(authority: 1, committed: 2, work: [.doing(truncate(after: 2), replay(3...3, from: 1)), .authority, .inSync])),

        PlannerCase("a replica ahead of the authority in the authority's own last term", leader: 0, [
            journal(0, "11 33", commit: 2),
            journal(1, "11 333", commit: 2),
            journal(2, "11", commit: 2),
        ], expect: .inconsistent(mentioning: "leader r0 ends at (3,4) but r1 ends at (3,5)")),

        PlannerCase("range checksums confirm the agreement", leader: 1, [
            journal(0, "1111 2222", commit: 4, checksums: 2),
            journal(1, "1111 3333", commit: 8, checksums: 2),
            journal(2, "1111 33", commit: 6, checksums: 2),
        ], expect: .plan(authority: 1, committed: 8, work: [
            .doing(truncate(after: 4), replay(5...8, from: 1)), .authority, .doing(replay(7...8, from: 1)),
        ])),

        PlannerCase("range checksums differ where the terms agree", [
            ModelReplica(id: ReplicaID(0), terms: [1, 1, 1, 1, 2, 2], commit: 6, applied: 0, firstRetained: 1, checksumRangeSize: 2),
            ModelReplica(id: ReplicaID(1), terms: [1, 1, 1, 1, 2, 2], commit: 4, applied: 0, firstRetained: 1, checksumRangeSize: 2,
                         alteredBodies: [3]),
        ], expect: .inconsistent(mentioning: "hold different records in i3...i4")),

        PlannerCase("range checksums match where the terms diverge", [
            ModelReplica(id: ReplicaID(0), terms: [1, 1, 2, 2], commit: 2, applied: 0, firstRetained: 1, checksumRangeSize: 2),
            ModelReplica(id: ReplicaID(1), terms: [1, 1, 2, 2], commit: 2, applied: 0, firstRetained: 1, checksumRangeSize: 2,
                         claimedTerms: [1, 1, 3, 3]),
        ], expect: .inconsistent(mentioning: "hold the same records in i3...i4")),
    ]
}

@Suite struct PlannerCatalogueTests {
    @Test(arguments: PlannerCase.catalogue)
    func planMatches(_ testCase: PlannerCase) {
        let reports = testCase.journals.map(\.report)
        let outcome = ReconciliationPlanner.plan(
            replicaCount: testCase.replicaCount, reports: reports, leader: testCase.leader.map { ReplicaID($0) })
        switch (testCase.expected, outcome) {
        case let (.plan(authority, committed, work), .planned(plan)):
            let authorityReport = reports.first { $0.replica == ReplicaID(authority) }
            #expect(plan.authority == ReplicaID(authority))
            #expect(plan.authorityLast == authorityReport?.last)
            #expect(plan.committed == JournalIndex(committed))
            #expect(plan.directives.map(\.replica) == (0..<testCase.replicaCount).map { ReplicaID(UInt32($0)) })
            #expect(plan.directives.map(\.work) == work, "\(plan)")
            #expect(plan.directive(for: ReplicaID(authority))?.work == .authority)
            #expect(plan.isSettled == !work.contains { if case .repair = $0 { true } else { false } })
            var execution = PlanExecution(testCase.journals, committed: PlanExecution.provenCommitted(testCase.journals))
            execution.run(plan, reporting: Set(reports.map(\.replica)))
            #expect(execution.violations.isEmpty, "\(execution.violations)")
        case let (.undecided(expected), .undecided(waitingFor, _)):
            #expect(waitingFor == expected.map { ReplicaID($0) })
        case let (.inconsistent(fragment), .inconsistent(description)):
            #expect(description.contains(fragment), "\(description)")
        default:
            Issue.record("expected \(testCase.expected), got \(outcome)")
        }
    }

    @Test func malformedReportsAreInconsistentNotTraps() {
        let good = journal(0, "11 22", commit: 2).report
        var outOfOrder = journal(1, "11 22", commit: 2).report
        outOfOrder.termRanges.reverse()
        var gap = journal(1, "11 22", commit: 2).report
        gap.termRanges[1].first = JournalIndex(4)
        var commitPastEnd = journal(1, "11 22").report
        commitPastEnd.commitIndex = JournalIndex(9)
        var lastMismatch = journal(1, "11 22").report
        lastMismatch.last = LogPosition(term: Term(2), index: JournalIndex(5))
        var retainedPastEnd = journal(1, "11 22").report
        retainedPastEnd.firstRetained = JournalIndex(6)
        var checksumOutside = journal(1, "11 22", checksums: 2).report
        checksumOutside.rangeChecksums.append(RangeChecksum(first: JournalIndex(5), last: JournalIndex(6), checksum: 1))
        let cases: [(String, [ReplicaReport], String)] = [
            ("duplicate", [good, good], "r0 reported twice"),
            ("stranger", [good, journal(7, "11").report], "r7 reported but is not a member"),
            ("out of order", [good, outOfOrder], "out of order"),
            ("gap", [good, gap], "not contiguous"),
            ("commit past end", [good, commitPastEnd], "commit i9 beyond its last (2,4)"),
            ("last mismatch", [good, lastMismatch], "but last (2,5)"),
            ("retained past end", [good, retainedPastEnd], "first retained i6 outside"),
            ("checksum outside", [good, checksumOutside], "checksum range i5...i6 outside"),
        ]
        for (label, reports, fragment) in cases {
            let outcome = ReconciliationPlanner.plan(replicaCount: 3, reports: reports)
            guard case let .inconsistent(description) = outcome else {
                Issue.record("\(label): expected inconsistent, got \(outcome)")
                continue
            }
            #expect(description.contains(fragment), "\(label): \(description)")
        }
    }

    @Test func aLeaderOutsideTheSetIsInconsistent() {
        let reports = [journal(0, "1").report, journal(1, "1").report]
        let outcome = ReconciliationPlanner.plan(replicaCount: 3, reports: reports, leader: ReplicaID(5))
        #expect(outcome == .inconsistent("leader r5 is not a member of a replica set of 3"))
    }

    @Test func theOrderOfReportsDoesNotMatter() {
        let journals = [journal(0, "11 22", commit: 2), journal(1, "11 333", commit: 2), journal(2, "11 3 444", commit: 2)]
        let forward = ReconciliationPlanner.plan(replicaCount: 3, reports: journals.map(\.report))
        let backward = ReconciliationPlanner.plan(replicaCount: 3, reports: journals.reversed().map(\.report))
        #expect(forward == backward)
    }
}
