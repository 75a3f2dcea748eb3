/// The position of a record in a replica set's journal: 1 for the first record, then +1 per record,
/// across terms. Index 0 means "before the first record".
public struct JournalIndex: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static let zero = JournalIndex(0)

    public var next: JournalIndex { JournalIndex(rawValue + 1) }

    /// The index before this one. Precondition: not `.zero`.
    public var previous: JournalIndex {
        precondition(rawValue > 0, "no index precedes 0")
        return JournalIndex(rawValue - 1)
    }

    public static func < (a: JournalIndex, b: JournalIndex) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "i\(rawValue)" }
}
