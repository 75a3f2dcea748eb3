@testable import HistoryChecker
import Testing

/// The interned model the search runs must agree with `RegisterModel` step by step.
@Suite struct RegisterStepTests {
    @Test func internedStepsMatchTheModel() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let table = StateTable()
            var state = RegisterModel.initialState
            var interned = StateTable.absent
            for _ in 0..<30 {
                let value = random.element(["a", "b", "c"])
                let kind: OperationKind = switch random.int(0..<4) {
                case 0: .read
                case 1: .write(value)
                case 2: .append(value)
                default: .compareAndSet(expected: random.chance(20) ? nil : random.element(["a", "b", "c"]), new: value)
                }
                let (next, result) = RegisterModel.apply(kind, to: state)
                let right = step(kind, result, table)
                #expect(right.apply(to: interned, in: table).map(table.registerState) == next, "\(kind) from \(state)")
                if let wrong = wrongStep(kind, result, table) {
                    #expect(wrong.apply(to: interned, in: table) == nil, "\(kind) from \(state) with the wrong result")
                }
                state = next
                interned = right.apply(to: interned, in: table)!
            }
        }
    }

    /// The step recording `result`, as the search compiles it.
    private func step(_ kind: OperationKind, _ result: OperationResult, _ table: StateTable) -> RegisterStep {
        SearchOperation.compile([HistoryOperation(client: 0, key: "f", kind: kind, invokedAt: 0, completedAt: 1, outcome: .ok(result))], into: table)[0].step
    }

    /// The step recording a result the model would not give, if the kind returns anything.
    private func wrongStep(_ kind: OperationKind, _ result: OperationResult, _ table: StateTable) -> RegisterStep? {
        switch result {
        case .done: nil
        case .swapped(let swapped): step(kind, .swapped(!swapped), table)
        case .observed(let state): step(kind, .observed(.list(state.values + ["z"])), table)
        }
    }
}
