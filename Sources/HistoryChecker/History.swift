/// A recorded history: client operations on many files, in any order.
///
/// Files are independent registers, so a history is checked one key at a time
/// (P-compositionality: a history is linearizable iff each key's sub-history is).
public struct History: Hashable, Sendable, RandomAccessCollection {
    public var operations: [HistoryOperation]

    public init(_ operations: [HistoryOperation] = []) { self.operations = operations }

    public var startIndex: Int { operations.startIndex }
    public var endIndex: Int { operations.endIndex }
    public subscript(position: Int) -> HistoryOperation { operations[position] }

    public mutating func append(_ operation: HistoryOperation) { operations.append(operation) }

    /// The file names the history touches, sorted.
    public var keys: [String] { Set(operations.map(\.key)).sorted() }

    /// Each key's operations, in history order.
    public var operationsByKey: [String: [HistoryOperation]] { Dictionary(grouping: operations, by: \.key) }

    /// The latest time the history mentions (an invocation or a completion).
    public var latestTime: UInt64 { operations.map { Swift.max($0.invokedAt, $0.completedAt ?? 0) }.max() ?? 0 }

    /// The history followed by one read per entry of `finalStates`, observing that state, invoked
    /// after every recorded time (so after every operation that completed; indeterminate ones
    /// may still take effect before it).
    ///
    /// Use it with the state read back after all faults healed: the linearizability check then
    /// also proves that no acknowledged write was lost and that the final value is one some
    /// order of the operations allows.
    /// - Parameter client: the client id the final reads are recorded under.
    public func appendingFinalReads(_ finalStates: [String: RegisterState], client: UInt64 = .max) -> History {
        let time = latestTime + 1
        var result = self
        for (key, state) in finalStates.sorted(by: { $0.key < $1.key }) {
            result.append(HistoryOperation(client: client, key: key, kind: .read, invokedAt: time, completedAt: time + 1, outcome: .ok(.observed(state))))
        }
        return result
    }
}
