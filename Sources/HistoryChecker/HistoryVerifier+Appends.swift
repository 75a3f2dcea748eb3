/// Direct checks on appended values: quick, with plain messages, and independent of the search
/// (they hold even for keys the search cannot decide).
extension HistoryVerifier {
    /// Acknowledged appends whose value is missing from their key's final state.
    ///
    /// An append is only expected in the final state if no write or compare-and-set (acknowledged
    /// or indeterminate) could have taken effect after it and replaced the list; such keys are
    /// left to the linearizability check with the final reads. Keys without a final state are
    /// skipped.
    public static func lostAcknowledgedAppends(in history: History, finalStates: [String: RegisterState]) -> [Violation] {
        var violations: [Violation] = []
        for (key, operations) in history.operationsByKey.sorted(by: { $0.key < $1.key }) {
            guard let finalState = finalStates[key] else { continue }
            let final = Set(finalState.values)
            let replacements = operations.filter { operation in
                switch operation.kind {
                case .write, .compareAndSet: operation.outcome != .failed
                case .read, .append: false
                }
            }
            for operation in operations {
                guard case .append(let value) = operation.kind, case .ok = operation.outcome, !final.contains(value) else { continue }
                let couldBeReplaced = replacements.contains { replacement in
                    guard let completion = replacement.effectiveCompletion else { return true }
                    return completion >= operation.invokedAt  // not strictly before the append
                }
                if !couldBeReplaced {
                    violations.append(.lostAcknowledgedAppend(key: key, append: operation, finalState: finalState))
                }
            }
        }
        return violations
    }

    /// Values that some ok read saw more times than operations that could have added them exist:
    /// each append of the value that did not certainly fail can add one, and writes and
    /// compare-and-sets of it together one more (they replace the whole list). With unique
    /// values, any value seen twice was applied twice.
    ///
    /// One violation per key and value, naming the first read (by completion) that saw it.
    public static func valuesAppliedMoreThanOnce(in history: History) -> [Violation] {
        var violations: [Violation] = []
        for (key, operations) in history.operationsByKey.sorted(by: { $0.key < $1.key }) {
            var appends: [String: Int] = [:]
            var replaced = Set<String>()
            for operation in operations where operation.outcome != .failed {
                switch operation.kind {
                case .append(let value): appends[value, default: 0] += 1
                case .write(let value), .compareAndSet(_, let value): replaced.insert(value)
                case .read: break
                }
            }
            let reads = operations.filter { if case .ok(.observed) = $0.outcome { true } else { false } }
            var reported = Set<String>()
            for read in reads.sorted(by: { ($0.completedAt ?? .max, $0.invokedAt) < ($1.completedAt ?? .max, $1.invokedAt) }) {
                guard case .ok(.observed(let state)) = read.outcome else { continue }
                for (value, occurrences) in Dictionary(state.values.map { ($0, 1) }, uniquingKeysWith: +).sorted(by: { $0.key < $1.key }) {
                    let permitted = appends[value, default: 0] + (replaced.contains(value) ? 1 : 0)
                    guard occurrences > max(permitted, 1), !reported.contains(value) else { continue }
                    reported.insert(value)
                    violations.append(.appliedMoreThanOnce(key: key, value: value, occurrences: occurrences, permitted: permitted, read: read))
                }
            }
        }
        return violations
    }
}
