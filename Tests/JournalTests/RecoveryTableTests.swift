import Testing
@testable import Journal

@Suite struct RecoveryTableTests {
    @Test func everyFactCombinationHasExactlyOneDecision() {
        let all = SlotFacts.allCombinations
        #expect(all.count == 48)
        for facts in all {
            #expect(SlotRecovery.matchingRows(facts).count == 1, "\(facts)")
        }
    }

    @Test func everyRowIsReachable() {
        for (offset, row) in SlotRecovery.rows.enumerated() {
            #expect(SlotFacts.allCombinations.contains { row.matches($0) }, "row \(offset) matches nothing")
        }
    }

    /// The decisions that matter most, spelled out.
    @Test(arguments: [
        (SlotFacts(header: .valid, bodyComplete: true, bodyValid: true, followsPrevious: true, laterBatchFollows: true), SlotDecision.intact),
        (SlotFacts(header: .zeroed, bodyComplete: false, bodyValid: false, followsPrevious: false, laterBatchFollows: false), .cleanEnd),
        (SlotFacts(header: .damaged, bodyComplete: false, bodyValid: false, followsPrevious: false, laterBatchFollows: false), .truncateTornTail),
        (SlotFacts(header: .valid, bodyComplete: false, bodyValid: false, followsPrevious: true, laterBatchFollows: false), .truncateTornTail),
        (SlotFacts(header: .damaged, bodyComplete: true, bodyValid: false, followsPrevious: false, laterBatchFollows: true), .corruption),
        (SlotFacts(header: .valid, bodyComplete: true, bodyValid: false, followsPrevious: true, laterBatchFollows: true), .corruption),
        (SlotFacts(header: .zeroed, bodyComplete: false, bodyValid: false, followsPrevious: false, laterBatchFollows: true), .corruption),
        (SlotFacts(header: .valid, bodyComplete: true, bodyValid: true, followsPrevious: false, laterBatchFollows: false), .corruption),
    ])
    func keyDecisions(facts: SlotFacts, decision: SlotDecision) {
        #expect(SlotRecovery.decide(facts) == decision)
    }
}
