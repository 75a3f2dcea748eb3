import Foundation
import JBRCore
import Reconcile
import Testing

/// The two forms of a plan `jbr-server recon` will print: text for people (`--dry-run`) and JSON
/// for tools (`--json`). Both are interfaces; these tests freeze them.
@Suite struct PlanPresentationTests {
    /// Five replicas, one of each kind of work.
    static let outcome = ReconciliationPlanner.plan(replicaCount: 5, reports: [
        journal(0, ranges: "1:1-50 2:51-100 4:101-120", commit: 120, applied: 110, retained: 100),
        journal(1, ranges: "1:1-50 2:51-100 4:101-120", commit: 118, applied: 100, retained: 90),
        journal(2, ranges: "1:1-40", commit: 40, applied: 40),
        journal(3, ranges: "1:1-50 2:51-103 3:104-106", commit: 100, applied: 100, retained: 60),
    ].map(\.report), leader: ReplicaID(0))

    @Test func textForPeople() {
        #expect(Self.outcome.description == """
            plan: authority r0 at (4,120), committed through i120
              r0  authority  last (4,120)
              r1  in sync    last (4,120)
              r2  repair     last (1,40), agrees through i40: full resync from r0, then replay from i100
              r3  repair     last (3,106), agrees through i100: truncate after i100; replay i101...i120 from r0
              r4  pending    no report
            """)
    }

    @Test func textOfRefusals() {
        #expect(ReconciliationOutcome.undecided(waitingFor: [ReplicaID(1), ReplicaID(2)], reason: "heard from 1 of 3").description
            == "undecided: heard from 1 of 3; waiting for r1, r2")
        #expect(ReconciliationOutcome.inconsistent("r1 reported twice").description == "inconsistent: r1 reported twice")
    }

    @Test func jsonForTools() throws {
        #expect(try json(Self.outcome) == """
            {"authority":0,"authorityLast":{"index":120,"term":4},"committed":120,"outcome":"planned","replicas":[\
            {"agreesThrough":120,"last":{"index":120,"term":4},"replica":0,"work":"authority"},\
            {"agreesThrough":120,"last":{"index":120,"term":4},"replica":1,"work":"inSync"},\
            {"actions":[{"action":"fullResync","source":0,"thenReplayFrom":100}],"agreesThrough":40,"last":{"index":40,"term":1},"replica":2,"work":"repair"},\
            {"actions":[{"action":"truncate","after":100},{"action":"replay","from":101,"source":0,"through":120}],"agreesThrough":100,\
            "last":{"index":106,"term":3},"replica":3,"work":"repair"},\
            {"replica":4,"work":"pending"}]}
            """)
    }

    @Test func jsonOfRefusals() throws {
        #expect(try json(ReconciliationOutcome.undecided(waitingFor: [ReplicaID(1), ReplicaID(2)], reason: "heard from 1 of 3"))
            == #"{"outcome":"undecided","reason":"heard from 1 of 3","waitingFor":[1,2]}"#)
        #expect(try json(ReconciliationOutcome.inconsistent("r1 reported twice"))
            == #"{"description":"r1 reported twice","outcome":"inconsistent"}"#)
    }

    private func json(_ outcome: ReconciliationOutcome) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(outcome), as: UTF8.self)
    }
}
