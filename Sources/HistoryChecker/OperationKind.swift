/// What a client asked the file store to do with one file (one register).
public enum OperationKind: Hashable, Sendable, CustomStringConvertible {
    /// Returns the whole state (`OperationResult.observed`).
    case read
    /// Replaces the state with the one value (creating the file if absent).
    case write(String)
    /// Adds the value to the end of the list (creating the file if absent).
    case append(String)
    /// "Compare-and-set through rename": replaces the state with `new` only if it is exactly
    /// `.value(expected)`, or absent when `expected` is `nil`; returns whether it did
    /// (`OperationResult.swapped`).
    case compareAndSet(expected: String?, new: String)

    /// Whether the operation can change the state.
    public var isMutation: Bool {
        if case .read = self { return false }
        return true
    }

    /// The value the operation may put into the state, if any.
    public var writtenValue: String? {
        switch self {
        case .read: nil
        case .write(let value), .append(let value): value
        case .compareAndSet(_, let new): new
        }
    }

    /// The name used in JSON lines and in printed histories.
    public var name: String {
        switch self {
        case .read: "read"
        case .write: "write"
        case .append: "append"
        case .compareAndSet: "cas"
        }
    }

    public var description: String {
        switch self {
        case .read: "read"
        case .write(let value): "write \(String(reflecting: value))"
        case .append(let value): "append \(String(reflecting: value))"
        case .compareAndSet(let expected, let new):
            "cas \(expected.map { String(reflecting: $0) } ?? "absent") → \(String(reflecting: new))"
        }
    }
}
