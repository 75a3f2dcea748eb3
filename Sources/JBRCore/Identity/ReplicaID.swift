/// A brick's identity within its replica set: its position in that set (0 ..< replica count), as
/// volgen numbers them (`replica-id` in the volfiles). Stable for the life of the volume.
public struct ReplicaID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static func < (a: ReplicaID, b: ReplicaID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "r\(rawValue)" }
}
