/// Why one key is not linearizable: where its history stops being linearizable, and a small set
/// of operations that cannot be linearized together.
public struct Counterexample: Hashable, Sendable, CustomStringConvertible {
    /// One operation of the reduced set.
    public struct Entry: Hashable, Sendable {
        public var operation: HistoryOperation
        /// Checked as indeterminate: it may have taken effect at any time after its invocation,
        /// or never. True for indeterminate operations, for those still pending at `prefixEnd`,
        /// and for those the reduction found need not be pinned to their interval.
        public var isOptional: Bool
    }

    public var key: String
    /// The completion time that ends the shortest non-linearizable prefix: the history up to
    /// just before it is linearizable, up to it is not.
    public var prefixEnd: UInt64
    /// The operations invoked by `prefixEnd`, by invocation time. Those completing later were
    /// checked as pending (possibly in effect, result unknown).
    public var prefix: [HistoryOperation]
    /// The operations completing at `prefixEnd`: with them, the history stops being linearizable.
    public var completing: [HistoryOperation]
    /// A subset of the prefix, by invocation time, that is already not linearizable on its own
    /// (see `witness`). Operations were removed or made optional only in ways that cannot turn a
    /// linearizable history into one that is not, so every one left takes part in the problem.
    public var operations: [Entry]
    /// Whether no single further removal or relaxation keeps it non-linearizable (the reduction
    /// did not stop at `SearchBudget.maxShrinkSearches`).
    public var isReduced: Bool

    /// `operations` as a history of their own, the optional ones recorded as indeterminate:
    /// `LinearizabilityChecker.check(witness)` finds it not linearizable.
    public var witness: [HistoryOperation] {
        operations.map { $0.isOptional ? $0.operation.asIndeterminate : $0.operation }
    }

    public var description: String {
        var lines = ["key \(String(reflecting: key)) is not linearizable."]
        lines.append("  The shortest prefix that is not ends at t=\(prefixEnd) (\(prefix.count) operations invoked by then), when this completed:")
        lines += completing.map { "      \($0)" }
        lines.append("  These \(operations.count) operations cannot all be linearized (? = may have taken effect at any time after its invocation, or never):")
        lines += operations.map { "    \($0.isOptional ? "?" : " ") \($0.operation)" }
        if !isReduced { lines.append("  (the reduction stopped at its budget; some of these may not matter)") }
        return lines.joined(separator: "\n")
    }
}
