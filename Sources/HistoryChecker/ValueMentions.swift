/// Which values the operations of a history "mention": values some read saw and values some
/// compare-and-set expects. A write, append or compare-and-set putting in a value nobody
/// mentions can be taken out of a linearization without breaking it, provided no acknowledged
/// compare-and-set returned "not swapped". This makes it safe to drop such writes when they are optional
/// (`LinearizabilitySearch`) and when shrinking a counterexample (`CounterexampleShrinker`).
///
/// Why: take the write out of a linearization (a compare-and-set that did not swap there changed
/// nothing, so taking it out is harmless; one that did is a write for this argument). Until the next operation that replaces the list,
/// the state would have held its value and now does not. Nothing in between can tell: no read
/// (none saw the value), no swap (it would have expected the value), no compare-and-set pinned
/// to "not swapped" (there are none); an optional compare-and-set that would now swap is left
/// out (it did not swap before, so leaving it out changes nothing); appends and writes return
/// nothing. From the next replacement on, the states are the same.
struct ValueMentions {
    private(set) var mentioned = Set<Int>()
    /// False when an acknowledged compare-and-set returned "not swapped": removing a write
    /// before it could make it swap.
    private(set) var unmentionedWritesAreRemovable = true

    init(_ operations: some Sequence<SearchOperation>, table: StateTable) {
        var states = Set<Int>()
        for operation in operations {
            switch operation.step {
            case .read(let observed):
                states.insert(observed)
            case .compareAndSet(let expected, _, let swapped):
                states.insert(expected)
                if swapped == false { unmentionedWritesAreRemovable = false }
            case .write, .append:
                break
            }
        }
        for state in states { mentioned.formUnion(table.valueIDs(in: state)) }
    }

    /// Whether `step` may put in a value (a write, an append, a compare-and-set that may swap)
    /// that nothing mentions.
    func isUnmentionedWrite(_ step: RegisterStep) -> Bool {
        step.writtenValue.map { !mentioned.contains($0) } ?? false
    }
}
