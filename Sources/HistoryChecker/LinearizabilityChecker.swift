/// Checks one file's operations for linearizability against `RegisterModel`.
public enum LinearizabilityChecker {
    /// Whether some order of `operations`, each placed between its invocation and completion,
    /// makes every completed operation return what it did under `RegisterModel`.
    ///
    /// Failed operations are left out (they did not happen). Indeterminate ones may take effect
    /// at any time after their invocation, or never. When the answer is no, the result carries a
    /// `Counterexample`; when the search exceeds `budget`, the verdict is `.unknown`.
    /// - Precondition: all operations have the same key (use `HistoryVerifier` for a history of
    ///   many files).
    public static func check(_ operations: [HistoryOperation], budget: SearchBudget = SearchBudget()) -> CheckResult {
        let key = operations.first?.key ?? ""
        precondition(operations.allSatisfy { $0.key == key }, "LinearizabilityChecker checks one key at a time")
        let table = StateTable()
        let compiled = SearchOperation.compile(operations, into: table)
        let search = LinearizabilitySearch.run(compiled, table: table, maxExploredStates: budget.maxExploredStates)
        let verdict: CheckResult.Verdict
        switch search.outcome {
        case .linearizable:
            verdict = .linearizable
        case .budgetExceeded:
            verdict = .unknown
        case .notLinearizable:
            let finder = CounterexampleFinder(history: operations, operations: compiled, table: table, budget: budget)
            verdict = .notLinearizable(finder.find())
        }
        return CheckResult(key: key, verdict: verdict, operationsChecked: compiled.count, exploredStates: search.exploredStates)
    }
}
