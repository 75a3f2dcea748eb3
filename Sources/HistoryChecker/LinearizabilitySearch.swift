/// The search for one key: Wing & Gong's algorithm with Lowe's just-in-time linearization and
/// memoization, as Porcupine and Knossos run it.
///
/// Walk the events from the start. At a call, try to linearize that operation now: if the model
/// accepts its recorded result and the pair (set of linearized operations, state) was never seen,
/// take it out of the list and start again from the head; otherwise move on. At a return, the
/// operation returning cannot be put off any longer, so undo the last choice and try the next
/// candidate after it. Only calls before the first remaining return are ever candidates, which
/// are exactly the operations invoked before the earliest pending completion. The history is
/// linearizable once every required operation is linearized (optional ones may be left out); it
/// is not when there is nothing left to undo.
///
/// Three shortcuts, each proven not to change the verdict, keep typical histories near linear:
/// optional writes that nothing mentions are dropped (`ValueMentions`); a read holding a value
/// more often than anything could have put it there ends the search at once
/// (`hasImpossibleRead`); and states that a coming read of a list can no longer match are not
/// entered (`isDeadEnd`).
///
/// - SeeAlso: Wing & Gong, "Testing and verifying concurrent objects" (1993); Lowe, "Testing for
///   linearizability" (2017); Horn & Kroening, "Faster linearizability checking via
///   P-compositionality" (2015).
enum LinearizabilitySearch {
    enum Outcome: Hashable {
        case linearizable
        case notLinearizable
        /// More than the budget of distinct (linearized set, state) pairs were visited.
        case budgetExceeded
    }

    private struct Visited: Hashable {
        var linearized: OperationSet
        var state: Int
    }

    static func run(_ operations: [SearchOperation], table: StateTable, maxExploredStates: Int) -> (outcome: Outcome, exploredStates: Int) {
        let operations = withoutUnmentionedOptionalWrites(operations, table: table)
        if hasImpossibleRead(operations, table: table) { return (.notLinearizable, 0) }
        var list = EventList(operations)
        var linearized = OperationSet(count: operations.count)
        var visited = Set<Visited>()
        var undo: [(operation: Int, stateBefore: Int)] = []
        var state = StateTable.absent
        var requiredLeft = operations.count { $0.isRequired }
        var entry = list.first

        while requiredLeft > 0 {
            // Every required operation still in the list has its return ahead of `entry`: the
            // walk never passes a return (it undoes instead), so the end cannot come first.
            precondition(entry != EventList.end, "walked past every return with \(requiredLeft) required operations left")
            let operation = list.operationOf[entry]
            if list.isReturn[entry] {
                guard let last = undo.popLast() else { return (.notLinearizable, visited.count) }
                linearized.remove(last.operation)
                state = last.stateBefore
                list.unlift(last.operation)
                if operations[last.operation].isRequired { requiredLeft += 1 }
                entry = list.next[list.callOf[last.operation]]
                continue
            }
            if let after = operations[operation].step.apply(to: state, in: table),
               !isDeadEnd(after, linearizing: operation, operations, list, table) {
                linearized.insert(operation)
                if visited.insert(Visited(linearized: linearized, state: after)).inserted {
                    if visited.count > maxExploredStates { return (.budgetExceeded, visited.count) }
                    undo.append((operation, state))
                    state = after
                    list.lift(operation)
                    if operations[operation].isRequired { requiredLeft -= 1 }
                    entry = list.first
                    continue
                }
                linearized.remove(operation)
            }
            entry = list.next[entry]
        }
        return (.linearizable, visited.count)
    }

    /// How far `isDeadEnd` looks ahead in the event list.
    private static let deadEndLookahead = 64

    /// Whether linearizing `operation` now, giving state `after`, can never lead anywhere: some
    /// read still to come returns before any remaining write or swap is even invoked, so until
    /// that read the list can only grow, yet what the read saw does not start with `after`.
    ///
    /// Sound because every operation linearized before that read must be invoked before its
    /// return. Without it, proving a list-append history wrong means trying every order of its
    /// concurrent (or indeterminate) appends, each order being a different list.
    private static func isDeadEnd(_ after: Int, linearizing operation: Int, _ operations: [SearchOperation], _ list: EventList, _ table: StateTable) -> Bool {
        var event = list.first
        var looked = 0
        while event != EventList.end && looked < deadEndLookahead {
            let other = list.operationOf[event]
            if other != operation {
                let step = operations[other].step
                if !list.isReturn[event] && step.mayReplace { return false }
                if list.isReturn[event], case .read(let observed) = step { return !table.canGrow(after, into: observed) }
            }
            event = list.next[event]
            looked += 1
        }
        return false
    }

    /// Whether some read saw a value more often than the operations present could have put it
    /// there: each append once, and all writes and swaps of it together once more (each one
    /// replaces the whole list). Such a read fits no order, so the search need not start.
    static func hasImpossibleRead(_ operations: [SearchOperation], table: StateTable) -> Bool {
        var appends: [Int: Int] = [:]
        var replacements = Set<Int>()
        var observedStates = Set<Int>()
        for operation in operations {
            switch operation.step {
            case .append(let value): appends[value, default: 0] += 1
            case .write(let value): replacements.insert(value)
            case .compareAndSet(_, let new, let swapped) where swapped != false: replacements.insert(new)
            case .compareAndSet: break
            case .read(let observed): observedStates.insert(observed)
            }
        }
        for state in observedStates {
            var seen: [Int: Int] = [:]
            for value in table.valueIDs(in: state) { seen[value, default: 0] += 1 }
            if seen.contains(where: { value, count in count > appends[value, default: 0] + (replacements.contains(value) ? 1 : 0) }) {
                return true
            }
        }
        return false
    }

    /// Drops optional writes and appends that `ValueMentions` shows cannot matter; each one left
    /// in can double the states to explore.
    static func withoutUnmentionedOptionalWrites(_ operations: [SearchOperation], table: StateTable) -> [SearchOperation] {
        guard operations.contains(where: { !$0.isRequired }) else { return operations }
        let mentions = ValueMentions(operations, table: table)
        guard mentions.unmentionedWritesAreRemovable else { return operations }
        return operations.filter { operation in
            operation.isRequired || !mentions.isUnmentionedWrite(operation.step)
        }
    }
}
