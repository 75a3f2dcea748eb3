/// The linearizability verdict for one key.
public struct CheckResult: Hashable, Sendable, CustomStringConvertible {
    public enum Verdict: Hashable, Sendable {
        case linearizable
        case notLinearizable(Counterexample)
        /// The search visited `SearchBudget.maxExploredStates` states without an answer.
        case unknown
    }

    public var key: String
    public var verdict: Verdict
    /// Operations the search had to place: completed ones and indeterminate mutations
    /// (failed operations and unfinished reads say nothing and are left out).
    public var operationsChecked: Int
    /// Distinct (linearized set, state) pairs the main search visited.
    public var exploredStates: Int

    public var isLinearizable: Bool { verdict == .linearizable }

    public var counterexample: Counterexample? {
        if case .notLinearizable(let counterexample) = verdict { return counterexample }
        return nil
    }

    public var description: String {
        let what = "\(operationsChecked) operations, \(exploredStates) states"
        switch verdict {
        case .linearizable: return "key \(String(reflecting: key)): linearizable (\(what))"
        case .notLinearizable: return "key \(String(reflecting: key)): NOT linearizable (\(what))"
        case .unknown: return "key \(String(reflecting: key)): unknown, budget exceeded (\(what))"
        }
    }
}
