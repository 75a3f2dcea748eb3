/// One problem found in a history.
public enum Violation: Hashable, Sendable, CustomStringConvertible {
    /// No order of the key's operations explains what the clients saw.
    case notLinearizable(Counterexample)
    /// An append acknowledged ok whose value is not in the key's final state, though no write or
    /// compare-and-set could have replaced the list after it.
    case lostAcknowledgedAppend(key: String, append: HistoryOperation, finalState: RegisterState)
    /// A read saw `value` `occurrences` times though at most `permitted` operations could have
    /// put it there (a retried append applied twice, say). `read` is the first such read.
    case appliedMoreThanOnce(key: String, value: String, occurrences: Int, permitted: Int, read: HistoryOperation)

    public var key: String {
        switch self {
        case .notLinearizable(let counterexample): counterexample.key
        case .lostAcknowledgedAppend(let key, _, _), .appliedMoreThanOnce(let key, _, _, _, _): key
        }
    }

    public var description: String {
        switch self {
        case .notLinearizable(let counterexample):
            return counterexample.description
        case .lostAcknowledgedAppend(let key, let append, let finalState):
            return "key \(String(reflecting: key)): acknowledged append lost; final state \(finalState) lacks the value of\n    \(append)"
        case .appliedMoreThanOnce(let key, let value, let occurrences, let permitted, let read):
            let limit = permitted == 1 ? "once" : "\(permitted) times"
            return "key \(String(reflecting: key)): \(String(reflecting: value)) appears \(occurrences) times, but could be added at most \(limit); first seen by\n    \(read)"
        }
    }
}
