/// Where a record stands: the term it was written in and its journal index.
///
/// Ordered by term, then index: a record of a later term is "more up to date" whatever its
/// index (the vote rule and reconciliation depend on this).
public struct LogPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var term: Term
    public var index: JournalIndex

    public init(term: Term, index: JournalIndex) {
        self.term = term
        self.index = index
    }

    /// The position of an empty journal.
    public static let zero = LogPosition(term: .zero, index: .zero)

    public static func < (a: LogPosition, b: LogPosition) -> Bool {
        (a.term, a.index) < (b.term, b.index)
    }

    public var description: String { "(\(term.rawValue),\(index.rawValue))" }
}
