/// Makes a non-linearizable set of operations smaller while it stays non-linearizable, using only
/// changes that can never turn a linearizable history into one that is not, so whatever is left
/// is evidence against the original:
///
/// - removing an operation that never changes the state (a read, a compare-and-set that did not
///   swap): any linearization with it is one without it;
/// - making an operation optional (as if indeterminate): any linearization with it pinned to its
///   interval is one where it is optional;
/// - removing a write, append or compare-and-set whose new value no remaining operation
///   mentions, when no remaining compare-and-set is pinned to "not swapped" (the argument is in
///   `ValueMentions`).
///
/// Removals are tried on chunks of operations, halving the chunk size down to one (as in delta
/// debugging), then on single operations again until nothing changes; then relaxations and
/// removals one operation at a time, likewise; all within the search budget. A
/// reduction whose search exceeds its (small) budget counts as not failing and is skipped.
struct CounterexampleShrinker {
    enum Form: Hashable {
        case asRecorded
        case optional
        case removed
    }

    let operations: [SearchOperation]
    /// Operations never changed (those completing at the end of the prefix).
    let fixed: [Bool]
    private(set) var forms: [Form]
    private(set) var searchesLeft: Int
    private(set) var reachedFixpoint = false
    /// Per value id: the reads that saw it and the compare-and-sets that expect it.
    private let mentionedBy: [Int: [Int]]
    /// The compare-and-sets pinned to "not swapped".
    private let refusedSwaps: [Int]

    init(operations: [SearchOperation], fixed: [Bool], table: StateTable, searches: Int) {
        precondition(fixed.count == operations.count)
        self.operations = operations
        self.fixed = fixed
        forms = Array(repeating: .asRecorded, count: operations.count)
        searchesLeft = searches
        var mentionedBy: [Int: [Int]] = [:]
        var refusedSwaps: [Int] = []
        for (index, operation) in operations.enumerated() {
            switch operation.step {
            case .read(let state), .compareAndSet(let state, _, _):
                for value in Set(table.valueIDs(in: state)) { mentionedBy[value, default: []].append(index) }
                if case .compareAndSet(_, _, swapped: false) = operation.step { refusedSwaps.append(index) }
            case .write, .append:
                break
            }
        }
        self.mentionedBy = mentionedBy
        self.refusedSwaps = refusedSwaps
    }

    /// The operations in their current forms.
    var current: [SearchOperation] { apply(forms) }

    /// Shrinks while `stillFails` (a search) says the smaller set is still not linearizable:
    /// first by removals only, then by removals and relaxations. (Relaxing first can get stuck:
    /// once a write is optional, the read that pinned it can no longer go.)
    mutating func shrink(stillFails: ([SearchOperation]) -> Bool) {
        for relaxing in [false, true] {
            guard reduceToFixpoint(relaxing: relaxing, stillFails: stillFails) else { return }
        }
        reachedFixpoint = true
    }

    /// Returns false when the searches ran out first.
    private mutating func reduceToFixpoint(relaxing: Bool, stillFails: ([SearchOperation]) -> Bool) -> Bool {
        // Relaxing many operations at once makes the search exponentially harder, so relaxations
        // go one at a time; removals only make it easier, so they go in halving chunks.
        var size = relaxing ? 1 : max(1, operations.count / 2)
        while true {
            var changed = false
            for start in stride(from: 0, to: operations.count, by: size) {
                guard let proposal = reduced(start..<min(start + size, operations.count), relaxing: relaxing) else { continue }
                guard searchesLeft > 0 else { return false }
                searchesLeft -= 1
                if stillFails(apply(proposal)) {
                    forms = proposal
                    changed = true
                }
            }
            if size > 1 {
                size /= 2
            } else if !changed {
                return true
            }
        }
    }

    /// The forms after reducing every operation in `range` one step, or `nil` if none can be.
    private func reduced(_ range: Range<Int>, relaxing: Bool) -> [Form]? {
        var proposal = forms
        for index in range where !fixed[index] && operations[index].step.preservesState {
            proposal[index] = .removed
        }
        let writesRemovable = !refusedSwaps.contains { proposal[$0] != .removed }
        for index in range where !fixed[index] && proposal[index] != .removed && !operations[index].step.preservesState {
            let unmentioned = operations[index].step.writtenValue.map { value in
                !(mentionedBy[value] ?? []).contains { proposal[$0] != .removed }
            } ?? false
            if unmentioned && writesRemovable {
                proposal[index] = .removed
            } else if relaxing && proposal[index] == .asRecorded && operations[index].isRequired {
                proposal[index] = .optional
            }
        }
        return proposal == forms ? nil : proposal
    }

    private func apply(_ forms: [Form]) -> [SearchOperation] {
        zip(operations, forms).compactMap { operation, form in
            switch form {
            case .asRecorded:
                return operation
            case .removed:
                return nil
            case .optional:
                // Only state-changing operations become optional, and those always have an
                // unconstrained form.
                guard let step = operation.step.unconstrained else { preconditionFailure("a read cannot be made optional") }
                return SearchOperation(source: operation.source, invocation: operation.invocation, completion: nil, step: step)
            }
        }
    }
}
