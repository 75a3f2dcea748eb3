/// One operation in the interned form the search runs: `RegisterModel` over `StateTable` ids,
/// with the recorded result folded in, so a step either gives the next state or refuses.
enum RegisterStep: Hashable {
    case write(value: Int)
    case append(value: Int)
    /// A completed read: only a state equal to `observed` lets it through.
    case read(observed: Int)
    /// `expected` is a state id (absent, or the single expected value). `swapped` is the recorded
    /// result, or `nil` when any result is allowed (indeterminate or pending).
    case compareAndSet(expected: Int, new: Int, swapped: Bool?)

    /// The state after this step from `state`, or `nil` when the recorded result is impossible there.
    func apply(to state: Int, in table: StateTable) -> Int? {
        switch self {
        case .read(let observed):
            return state == observed ? state : nil
        case .write(let value):
            return table.single(value)
        case .append(let value):
            return table.appending(value, to: state)
        case .compareAndSet(let expected, let new, let swapped):
            let matches = state == expected
            if let swapped, swapped != matches { return nil }
            return matches ? table.single(new) : state
        }
    }

    /// Whether the step never changes the state, so dropping it from a linearization leaves every
    /// other step's result as it was.
    var preservesState: Bool {
        switch self {
        case .read, .compareAndSet(_, _, swapped: false): true
        case .write, .append, .compareAndSet: false
        }
    }

    /// Whether the step may replace the whole list (a write, or a compare-and-set that may swap),
    /// rather than only grow it or leave it alone.
    var mayReplace: Bool {
        switch self {
        case .write, .compareAndSet(_, _, swapped: true), .compareAndSet(_, _, swapped: nil): true
        case .append, .read, .compareAndSet(_, _, swapped: false): false
        }
    }

    /// The value the step may put into the state (`nil` for reads and refused swaps).
    var writtenValue: Int? {
        switch self {
        case .write(let value), .append(let value), .compareAndSet(_, let value, swapped: true), .compareAndSet(_, let value, swapped: nil): value
        case .read, .compareAndSet(_, _, swapped: false): nil
        }
    }

    /// The same step with any result allowed (a read then says nothing, so it becomes `nil`).
    var unconstrained: RegisterStep? {
        switch self {
        case .read: nil
        case .write, .append: self
        case .compareAndSet(let expected, let new, _): .compareAndSet(expected: expected, new: new, swapped: nil)
        }
    }
}
