/// What an operation that completed returned. Which case fits depends on the operation kind:
/// `read` → `observed`, `write` and `append` → `done`, `compareAndSet` → `swapped`.
public enum OperationResult: Hashable, Sendable, CustomStringConvertible {
    /// A write or an append took effect.
    case done
    /// A read saw this state.
    case observed(RegisterState)
    /// A compare-and-set found its expected state and replaced it (`true`), or did not (`false`).
    case swapped(Bool)

    /// Whether this is the kind of result `kind` returns.
    public func fits(_ kind: OperationKind) -> Bool {
        switch (kind, self) {
        case (.read, .observed), (.write, .done), (.append, .done), (.compareAndSet, .swapped): true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .done: "done"
        case .observed(let state): "→ \(state)"
        case .swapped(true): "→ swapped"
        case .swapped(false): "→ not swapped"
        }
    }
}
