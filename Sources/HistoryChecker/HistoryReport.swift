/// The outcome of `HistoryVerifier.check`: every key's verdict and every violation found.
public struct HistoryReport: Hashable, Sendable, CustomStringConvertible {
    /// Operations in the history (with the final reads, when final states were given).
    public var operationCount: Int
    /// Linearizability verdicts, one per key, sorted by key.
    public var results: [CheckResult]
    public var violations: [Violation]

    public var keyCount: Int { results.count }

    /// Keys whose search ran out of budget: neither proven linearizable nor not.
    public var undecidedKeys: [String] { results.filter { $0.verdict == .unknown }.map(\.key) }

    /// No violation found (undecided keys may still hide one).
    public var isValid: Bool { violations.isEmpty }

    /// No violation, and every key decided.
    public var isProvenValid: Bool { isValid && undecidedKeys.isEmpty }

    public var description: String {
        let linearizable = results.count(where: \.isLinearizable)
        var lines = [
            "\(operationCount) operations on \(keyCount) keys: \(linearizable) linearizable, "
                + "\(results.count { $0.counterexample != nil }) not, \(undecidedKeys.count) unknown (budget exceeded); "
                + (violations.isEmpty ? "no violations" : "\(violations.count) violation\(violations.count == 1 ? "" : "s")"),
        ]
        lines += results.filter { !$0.isLinearizable }.map { "  \($0)" }
        for (number, violation) in violations.enumerated() {
            lines.append("violation \(number + 1): \(violation)")
        }
        return lines.joined(separator: "\n")
    }
}
