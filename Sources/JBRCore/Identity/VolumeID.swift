/// A volume's identity (GlusterFS `volume-id`). Every connection, message and journal record
/// carries it, so a brick never takes another volume's data.
public struct VolumeID: UUIDIdentifier {
    public let uuid: UUID128

    public init(_ uuid: UUID128) { self.uuid = uuid }
}
