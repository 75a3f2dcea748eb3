/// A brick's identity within its replica set: its position in the volume's brick list, as
/// volgen numbers them (`NAME-client-N` in the client volfile). Stable for the life of the volume.
public struct ReplicaID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static func < (a: ReplicaID, b: ReplicaID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "r\(rawValue)" }
}
