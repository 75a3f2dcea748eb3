/// Builds the `Counterexample` for a key the search found not linearizable.
///
/// 1. The shortest prefix by completion time that is not linearizable, by bisection over the
///    distinct completion times. The prefix ending at time T holds the operations completed by
///    T, and those invoked by T but not completed as pending (optional, any result; pending
///    reads say nothing and are left out). Prefixes only get worse as T grows (a linearization
///    of a longer prefix, cut after its last operation that completed by T, is one of the
///    shorter), so bisection finds the first bad one.
/// 2. `CounterexampleShrinker` on that prefix, keeping the operations that complete at T.
///
/// Cost: about log2(completions) full searches, then up to `SearchBudget.maxShrinkSearches`
/// small ones.
struct CounterexampleFinder {
    let history: [HistoryOperation]
    /// `history` compiled into `table`, as the failed search saw it.
    let operations: [SearchOperation]
    let table: StateTable
    let budget: SearchBudget

    func find() -> Counterexample {
        let end = shortestFailingPrefixEnd()
        let prefix = Self.prefix(of: operations, endingAt: end)
        var shrinker = CounterexampleShrinker(
            operations: prefix,
            fixed: prefix.map { $0.completion == end },
            table: table,
            searches: budget.maxShrinkSearches
        )
        let shrinkBudget = min(budget.maxExploredStates, budget.maxExploredStatesPerShrinkSearch)
        shrinker.shrink { fails($0, maxExploredStates: shrinkBudget) }
        let entries = shrinker.current.map { Counterexample.Entry(operation: history[$0.source], isOptional: !$0.isRequired) }
        return Counterexample(
            key: history.first?.key ?? "",
            prefixEnd: end,
            prefix: history.filter { $0.invokedAt <= end }.sorted(by: Self.byInterval),
            completing: history.filter { $0.effectiveCompletion == end }.sorted(by: Self.byInterval),
            operations: entries.sorted { Self.byInterval($0.operation, $1.operation) },
            isReduced: shrinker.reachedFixpoint
        )
    }

    /// Whether the search proves these operations not linearizable ("unknown" does not count).
    private func fails(_ operations: [SearchOperation], maxExploredStates: Int) -> Bool {
        LinearizabilitySearch.run(operations, table: table, maxExploredStates: maxExploredStates).outcome == .notLinearizable
    }

    private func shortestFailingPrefixEnd() -> UInt64 {
        let ends = Set(operations.compactMap(\.completion)).sorted()
        precondition(!ends.isEmpty, "a history with no completed operation is linearizable")
        // The prefix ending at the last completion is the whole history, known not linearizable.
        var low = 0
        var high = ends.count - 1
        while low < high {
            let middle = (low + high) / 2
            let prefix = Self.prefix(of: operations, endingAt: ends[middle])
            if fails(prefix, maxExploredStates: budget.maxExploredStates) { high = middle } else { low = middle + 1 }
        }
        return ends[low]
    }

    static func prefix(of operations: [SearchOperation], endingAt end: UInt64) -> [SearchOperation] {
        operations.compactMap { operation in
            if let completion = operation.completion, completion <= end { return operation }
            guard operation.invocation <= end, let step = operation.step.unconstrained else { return nil }
            return SearchOperation(source: operation.source, invocation: operation.invocation, completion: nil, step: step)
        }
    }

    private static func byInterval(_ a: HistoryOperation, _ b: HistoryOperation) -> Bool {
        (a.invokedAt, a.effectiveCompletion ?? .max, a.client) < (b.invokedAt, b.effectiveCompletion ?? .max, b.client)
    }
}
