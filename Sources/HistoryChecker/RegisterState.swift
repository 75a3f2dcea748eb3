/// What one file holds, as the register model sees it: nothing, or a list of values.
///
/// A write replaces the list with its one value and an append adds to the end, so a file that is
/// only ever written reads as a one-element list (`.value("a")`), and a file that is only ever
/// appended to reads as the values in the order the appends took effect.
public enum RegisterState: Hashable, Sendable, CustomStringConvertible {
    /// The file does not exist (nothing was written or appended yet).
    case absent
    /// The file exists and holds these values, oldest first.
    case list([String])

    /// The state after a write of `value`.
    public static func value(_ value: String) -> RegisterState { .list([value]) }

    /// The values held, oldest first; empty when the file is absent.
    public var values: [String] {
        switch self {
        case .absent: []
        case .list(let values): values
        }
    }

    public var description: String {
        switch self {
        case .absent: "absent"
        case .list(let values) where values.count == 1: String(reflecting: values[0])
        case .list(let values): "[" + values.map { String(reflecting: $0) }.joined(separator: ", ") + "]"
        }
    }
}
