import HistoryChecker

/// A reference checker that shares no code with the real one but `RegisterModel`: it tries every
/// subset of the indeterminate operations and every order of the chosen ones that respects real
/// time. Exponential; for histories of a handful of operations.
enum BruteForceLinearizability {
    static func isLinearizable(_ history: [HistoryOperation]) -> Bool {
        let relevant = history.filter { operation in
            switch (operation.kind, operation.outcome) {
            case (_, .failed), (.read, .indeterminate): false
            default: true
            }
        }
        precondition(relevant.count <= 10, "brute force is for tiny histories")
        let required = relevant.filter { $0.outcome != .indeterminate }
        let optional = relevant.filter { $0.outcome == .indeterminate }
        for mask in 0..<(1 << optional.count) {
            let chosen = required + optional.indices.filter { mask & (1 << $0) != 0 }.map { optional[$0] }
            if order(chosen, remaining: Set(chosen.indices), state: RegisterModel.initialState) { return true }
        }
        return false
    }

    private static func order(_ operations: [HistoryOperation], remaining: Set<Int>, state: RegisterState) -> Bool {
        if remaining.isEmpty { return true }
        for candidate in remaining {
            let mustWait = remaining.contains { other in
                guard other != candidate, let completion = operations[other].effectiveCompletion else { return false }
                return completion < operations[candidate].invokedAt
            }
            if mustWait { continue }
            let (next, result) = RegisterModel.apply(operations[candidate].kind, to: state)
            if case .ok(let recorded) = operations[candidate].outcome, recorded != result { continue }
            if order(operations, remaining: remaining.subtracting([candidate]), state: next) { return true }
        }
        return false
    }
}
