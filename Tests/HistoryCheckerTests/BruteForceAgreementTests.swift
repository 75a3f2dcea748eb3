@testable import HistoryChecker
import Testing

/// The checker against the brute-force reference on thousands of tiny random histories with
/// repeated values, every kind and every outcome: the verdicts must agree, and every
/// counterexample must itself be non-linearizable and end at the first prefix that is.
@Suite struct BruteForceAgreementTests {
    @Test func verdictsAgreeOnTinyRandomHistories() {
        var random = SplitMix64(seed: 2024)
        var verdicts = (linearizable: 0, not: 0)
        for round in 0..<3_000 {
            let history = Self.tinyHistory(&random)
            let expected = BruteForceLinearizability.isLinearizable(history)
            let result = LinearizabilityChecker.check(history)
            #expect(result.verdict != .unknown)
            #expect(result.isLinearizable == expected, "round \(round):\n\(history.map { "  \($0)" }.joined(separator: "\n"))")
            if expected { verdicts.linearizable += 1 } else { verdicts.not += 1 }
            if let counterexample = result.counterexample {
                checkCounterexample(counterexample, of: history, round: round)
            }
        }
        // Both verdicts are common, so neither half of the comparison is vacuous.
        #expect(verdicts.linearizable > 500 && verdicts.not > 500, "\(verdicts)")
    }

    private func checkCounterexample(_ counterexample: Counterexample, of history: [HistoryOperation], round: Int) {
        #expect(!BruteForceLinearizability.isLinearizable(counterexample.witness), "round \(round): \(counterexample)")
        #expect(!BruteForceLinearizability.isLinearizable(Self.prefix(of: history, endingAt: counterexample.prefixEnd)), "round \(round)")
        let earlierEnds = history.compactMap(\.effectiveCompletion).filter { $0 < counterexample.prefixEnd }
        if let previous = earlierEnds.max() {
            #expect(BruteForceLinearizability.isLinearizable(Self.prefix(of: history, endingAt: previous)), "round \(round): \(counterexample)")
        }
    }

    /// The history up to `end`: operations completed by then as recorded, those invoked by then
    /// but not completed as indeterminate (failed ones stay failed: they never happened).
    static func prefix(of history: [HistoryOperation], endingAt end: UInt64) -> [HistoryOperation] {
        history.compactMap { operation in
            if operation.outcome == .failed { return operation }
            if let completion = operation.effectiveCompletion, completion <= end { return operation }
            return operation.invokedAt <= end ? operation.asIndeterminate : nil
        }
    }

    static func tinyHistory(_ random: inout SplitMix64) -> [HistoryOperation] {
        let values = ["a", "b"]
        let states: [RegisterState] = [.absent, .value("a"), .value("b"), .list(["a", "b"]), .list(["b", "a"]), .list(["a", "a"])]
        return (0..<random.int(1..<7)).map { _ in
            let kind: OperationKind
            switch random.int(0..<4) {
            case 0: kind = .read
            case 1: kind = .write(random.element(values))
            case 2: kind = .append(random.element(values))
            default: kind = .compareAndSet(expected: random.chance(25) ? nil : random.element(values), new: random.element(values))
            }
            let invoked = random.u64(0..<30)
            let completed = invoked + random.u64(0..<15)
            let outcome: OperationOutcome
            switch random.int(0..<100) {
            case 0..<12: outcome = .failed
            case 12..<27: outcome = .indeterminate
            default:
                switch kind {
                case .read: outcome = .ok(.observed(random.element(states)))
                case .write, .append: outcome = .ok(.done)
                case .compareAndSet: outcome = .ok(.swapped(random.chance(50)))
                }
            }
            return HistoryOperation(client: random.u64(0..<3), key: "f", kind: kind, invokedAt: invoked, completedAt: completed, outcome: outcome)
        }
    }
}
