import HistoryChecker

// Short constructors for hand-written histories: `write("a", 0...10)` is client 1 writing "a" to
// file "f", invoked at 0 and acknowledged at 10.

func write(_ value: String, _ interval: ClosedRange<UInt64>, client: UInt64 = 1, key: String = "f") -> HistoryOperation {
    operation(.write(value), interval, .ok(.done), client: client, key: key)
}

func append(_ value: String, _ interval: ClosedRange<UInt64>, client: UInt64 = 1, key: String = "f") -> HistoryOperation {
    operation(.append(value), interval, .ok(.done), client: client, key: key)
}

func read(_ observed: RegisterState, _ interval: ClosedRange<UInt64>, client: UInt64 = 2, key: String = "f") -> HistoryOperation {
    operation(.read, interval, .ok(.observed(observed)), client: client, key: key)
}

/// A read that saw the single value `value`.
func read(_ value: String, _ interval: ClosedRange<UInt64>, client: UInt64 = 2, key: String = "f") -> HistoryOperation {
    read(.value(value), interval, client: client, key: key)
}

func cas(_ expected: String?, _ new: String, swapped: Bool, _ interval: ClosedRange<UInt64>, client: UInt64 = 3, key: String = "f") -> HistoryOperation {
    operation(.compareAndSet(expected: expected, new: new), interval, .ok(.swapped(swapped)), client: client, key: key)
}

/// An operation that timed out: invoked at `invoked`, given up on at `gaveUp` (or never returned).
func indeterminate(_ kind: OperationKind, from invoked: UInt64, gaveUp: UInt64? = nil, client: UInt64 = 4, key: String = "f") -> HistoryOperation {
    HistoryOperation(client: client, key: key, kind: kind, invokedAt: invoked, completedAt: gaveUp, outcome: .indeterminate)
}

func failed(_ kind: OperationKind, _ interval: ClosedRange<UInt64>, client: UInt64 = 5, key: String = "f") -> HistoryOperation {
    operation(kind, interval, .failed, client: client, key: key)
}

func operation(_ kind: OperationKind, _ interval: ClosedRange<UInt64>, _ outcome: OperationOutcome, client: UInt64, key: String) -> HistoryOperation {
    HistoryOperation(client: client, key: key, kind: kind, invokedAt: interval.lowerBound, completedAt: interval.upperBound, outcome: outcome)
}

extension HistoryOperation {
    /// The same operation with a different outcome.
    func with(outcome: OperationOutcome) -> HistoryOperation {
        HistoryOperation(client: client, key: key, kind: kind, invokedAt: invokedAt, completedAt: completedAt, outcome: outcome)
    }
}
