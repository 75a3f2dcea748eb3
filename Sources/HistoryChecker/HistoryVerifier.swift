/// Checks a whole recorded history: linearizability of every file (each on its own), no
/// acknowledged append lost, no operation applied more than once.
///
/// (Named so, not `HistoryChecker`, because a type named like its module makes
/// `HistoryChecker.X` ambiguous for clients.)
public enum HistoryVerifier {
    /// Runs every check.
    ///
    /// - Parameter finalStates: each key's state read back after every fault healed. When given,
    ///   one final read per key is added to the history (see `History.appendingFinalReads`) so the
    ///   linearizability check also covers the final value, and acknowledged appends are
    ///   checked against it directly.
    public static func check(
        _ history: History,
        finalStates: [String: RegisterState]? = nil,
        budget: SearchBudget = SearchBudget()
    ) -> HistoryReport {
        let checked = finalStates.map { history.appendingFinalReads($0) } ?? history
        let results = checked.operationsByKey.sorted { $0.key < $1.key }.map { LinearizabilityChecker.check($0.value, budget: budget) }
        var violations = results.compactMap { $0.counterexample.map(Violation.notLinearizable) }
        if let finalStates { violations += lostAcknowledgedAppends(in: history, finalStates: finalStates) }
        violations += valuesAppliedMoreThanOnce(in: checked)
        return HistoryReport(operationCount: checked.count, results: results, violations: violations)
    }
}
