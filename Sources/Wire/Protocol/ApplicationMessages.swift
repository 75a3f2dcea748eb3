/// The application messages JBR sends over Wire. Every request gets exactly one reply frame.
extension MessageType {
    /// Brick → brick: a `PeerEnvelope`. Replied to at once with `peerAccepted` (empty): the
    /// replica protocol's own answers travel as messages of their own.
    public static let peerMessage = MessageType.application(16)
    public static let peerAccepted = MessageType.application(17)
    /// Client → brick: a `ClientRequest`; replied to with `clientReply`.
    public static let clientWrite = MessageType.application(20)
    /// Client → brick: a `ReadRequest`; replied to with `clientReply`.
    public static let clientRead = MessageType.application(21)
    /// A `ClientReply`.
    public static let clientReply = MessageType.application(22)
    /// Anyone → brick: empty; replied to with `statusReply` (a `BrickStatus`).
    public static let status = MessageType.application(23)
    public static let statusReply = MessageType.application(24)
    /// Anyone → brick: empty; replied to with `reconReportReply` (a `ReplicaReport`: the
    /// brick's terms, positions and trim point, what reconciliation plans from).
    public static let reconReport = MessageType.application(25)
    public static let reconReportReply = MessageType.application(26)
}
