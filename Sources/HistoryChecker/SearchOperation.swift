/// One operation as the search sees it: an interval and an interned step.
struct SearchOperation: Hashable {
    /// Index of the operation in the per-key input.
    var source: Int
    var invocation: UInt64
    /// `nil`: optional. It may be linearized at any time after its invocation, or left out.
    var completion: UInt64?
    var step: RegisterStep

    var isRequired: Bool { completion != nil }

    /// The operations of one key that say something: failed operations never happened and are
    /// dropped, as are reads that did not complete (they changed nothing and saw nothing);
    /// indeterminate mutations become optional, with any result allowed.
    static func compile(_ operations: [HistoryOperation], into table: StateTable) -> [SearchOperation] {
        operations.enumerated().compactMap { index, operation in
            let result: OperationResult?
            switch operation.outcome {
            case .failed: return nil
            case .indeterminate: result = nil
            case .ok(let value): result = value
            }
            let step: RegisterStep
            switch (operation.kind, result) {
            case (.read, .observed(let state)?): step = .read(observed: table.intern(state))
            case (.read, _): return nil
            case (.write(let value), _): step = .write(value: table.valueID(value))
            case (.append(let value), _): step = .append(value: table.valueID(value))
            case (.compareAndSet(let expected, let new), _):
                var swapped: Bool?
                if case .swapped(let recorded)? = result { swapped = recorded }
                step = .compareAndSet(
                    expected: table.intern(expected.map(RegisterState.value) ?? .absent),
                    new: table.valueID(new),
                    swapped: swapped
                )
            }
            return SearchOperation(source: index, invocation: operation.invokedAt, completion: operation.effectiveCompletion, step: step)
        }
    }
}
