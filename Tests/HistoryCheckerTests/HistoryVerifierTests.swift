import HistoryChecker
import Testing

/// Whole-history checks: per-key independence, final states, lost and duplicated appends, budget.
@Suite struct HistoryVerifierTests {
    @Test func keysAreCheckedIndependently() {
        let history = History([
            write("a", 0...10, key: "good"), read("a", 20...30, key: "good"),
            write("a", 0...10, key: "bad"), write("b", 20...30, key: "bad"), read("a", 40...50, key: "bad"),
        ])
        let report = HistoryVerifier.check(history)
        #expect(report.operationCount == 5)
        #expect(report.keyCount == 2)
        #expect(report.results.map(\.key) == ["bad", "good"])
        #expect(report.results.map(\.isLinearizable) == [false, true])
        #expect(report.violations.map(\.key) == ["bad"])
        #expect(report.description.contains("1 linearizable, 1 not"), "\(report)")
    }

    @Test func anAppendAppliedTwiceIsAViolation() {
        let history = History([append("x", 0...10), append("y", 20...30), read(.list(["x", "y", "x"]), 40...50)])
        let report = HistoryVerifier.check(history)
        #expect(report.violations.contains { violation in
            if case .appliedMoreThanOnce(key: "f", value: "x", occurrences: 2, permitted: 1, _) = violation { return true }
            return false
        }, "\(report)")
    }

    @Test func aValueAppendedTwiceMayAppearTwice() {
        let history = History([append("x", 0...10), append("x", 20...30, client: 3), read(.list(["x", "x"]), 40...50)])
        #expect(HistoryVerifier.valuesAppliedMoreThanOnce(in: history).isEmpty)
        #expect(HistoryVerifier.check(history).isProvenValid)
    }

    @Test func anAcknowledgedAppendMissingFromTheFinalStateIsLost() {
        let history = History([append("x", 0...10), append("y", 20...30, client: 3), append("z", 40...50)])
        let report = HistoryVerifier.check(history, finalStates: ["f": .list(["x", "z"])])
        let lost = report.violations.compactMap { violation -> String? in
            if case .lostAcknowledgedAppend(_, let append, _) = violation { return append.kind.writtenValue }
            return nil
        }
        #expect(lost == ["y"], "\(report)")
        // The final read added to the history makes the key non-linearizable too.
        #expect(report.results.first?.isLinearizable == false)
        #expect(report.operationCount == 4)
    }

    @Test func appendsThatMayNotHaveHappenedOrWereReplacedAreNotLost() {
        let history = History([
            append("x", 0...10),
            indeterminate(.append("y"), from: 20, gaveUp: 30),
            failed(.append("z"), 40...50),
            append("v", 60...70, key: "g"), write("w", 65...80, key: "g"),
        ])
        let finalStates: [String: RegisterState] = ["f": .list(["x"]), "g": .value("w")]
        #expect(HistoryVerifier.lostAcknowledgedAppends(in: history, finalStates: finalStates).isEmpty)
        #expect(HistoryVerifier.check(history, finalStates: finalStates).isProvenValid)
    }

    @Test func theFinalStateMustBeOneSomeOrderAllows() {
        let history = History([write("a", 0...10), write("b", 20...30)])
        #expect(HistoryVerifier.check(history, finalStates: ["f": .value("b")]).isProvenValid)
        let report = HistoryVerifier.check(history, finalStates: ["f": .value("a")])
        #expect(!report.isValid)
        #expect(report.description.contains("NOT linearizable"), "\(report)")
    }

    @Test func aSearchOverBudgetIsReportedAsUnknown() {
        // Twelve concurrent writes, each read by a concurrent read, then two later reads that
        // disagree: proving it wrong means trying the writes and reads in (nearly) every order.
        let values = (0..<12).map { "x\($0)" }
        var history = History(values.enumerated().flatMap { index, value in
            [write(value, 0...100, client: UInt64(index)), read(value, 0...100, client: UInt64(100 + index))]
        })
        history.append(read("x0", 200...210))
        history.append(read("x1", 220...230))
        let report = HistoryVerifier.check(history, budget: SearchBudget(maxExploredStates: 1_000))
        #expect(report.undecidedKeys == ["f"])
        #expect(report.isValid && !report.isProvenValid)
        #expect(report.results.first?.verdict == .unknown)
        #expect(report.description.contains("unknown"), "\(report)")
    }
}
