/// A volume's identity (GlusterFS `volume-id`). Every connection, message and journal record
/// carries it, so a brick never takes another volume's data.
public struct VolumeID: Hashable, Sendable, CustomStringConvertible {
    package var uuid: UUID128

    package init(_ uuid: UUID128) { self.uuid = uuid }

    public init?(parsing text: some StringProtocol) {
        guard let uuid = UUID128(parsing: text) else { return nil }
        self.uuid = uuid
    }

    public init(bytes: [UInt8]) { self.uuid = UUID128(bytes: bytes) }

    public static func random(using generator: inout some RandomNumberGenerator) -> VolumeID {
        VolumeID(.random(using: &generator))
    }

    public var bytes: [UInt8] { uuid.bytes }
    public var description: String { uuid.uuidString }
}
