/// A leadership term. Every leader election moves to a higher term; at most one leader per term.
///
/// Persisted before it is used (architecture rule 1). Compare positions as `(term, index)`,
/// never by index alone (Kafka KIP-101: bare offsets lost data).
public struct Term: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The term before any election; no record is ever stamped with it.
    public static let zero = Term(0)

    /// The term after this one. Overflow is a programmer error (2^64 elections).
    public var next: Term { Term(rawValue + 1) }

    public static func < (a: Term, b: Term) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "t\(rawValue)" }
}
