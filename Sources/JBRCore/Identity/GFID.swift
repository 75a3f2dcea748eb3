/// The identity of a file, directory or symlink, as GlusterFS's GFID: 16 bytes, printed as a UUID.
///
/// The leader chooses the GFID of every new object, so every replica and every geo slave names it
/// the same way. Hard links share their object's GFID.
public struct GFID: UUIDIdentifier, Comparable {
    public let uuid: UUID128

    public init(_ uuid: UUID128) { self.uuid = uuid }

    public init(high: UInt64, low: UInt64) { self.uuid = UUID128(high: high, low: low) }

    /// The volume's root directory, `00000000-0000-0000-0000-000000000001` as in GlusterFS.
    public static let root = GFID(high: 0, low: 1)

    /// The all-zero GFID, which names nothing; refused wherever an object is addressed.
    public static let null = GFID(high: 0, low: 0)

    public var isNull: Bool { self == .null }

    public static func < (a: GFID, b: GFID) -> Bool { a.uuid < b.uuid }
}
