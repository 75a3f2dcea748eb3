/// The application messages JBR sends over Wire. Every request gets exactly one reply frame;
/// notices (request id 0) get none.
extension MessageType {
    /// Brick → brick, always a notice: a `PeerEnvelope`. The replica protocol's answers travel as
    /// messages of their own, so a reply frame would only be one more wake-up at each end.
    /// (17 was its reply, `peerAccepted`, and stays unused.)
    public static let peerMessage = MessageType.application(16)
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
    /// Operator → leader: empty; "plan every follower's repair again now". Replied to with an
    /// empty `reconcileReply`, or an error (`notLeader` with a hint from any other brick).
    public static let reconcile = MessageType.application(27)
    public static let reconcileReply = MessageType.application(28)
    /// Follower → leader, as a peer: empty; "I need a full resync". Replied to with
    /// `resyncBeginReply`: an offer id (u64), the position the tree was taken at, the request
    /// results at it (length-prefixed) and the manifest's size (u64). The follower then fetches
    /// the manifest with `resyncPage` and the files' bytes with `resyncRead`.
    public static let resyncBegin = MessageType.application(29)
    public static let resyncBeginReply = MessageType.application(30)
    /// Follower → leader, as a peer: offer id (u64), offset (u64); replied to with
    /// `resyncPageReply`, the manifest's bytes from there (length-prefixed, empty past its end).
    /// Also keeps the offer and the journal it pins alive while the bytes are fetched.
    public static let resyncPage = MessageType.application(31)
    public static let resyncPageReply = MessageType.application(32)
    /// Follower → leader, as a peer: offer id (u64), then a `ReadRequest` whose operation is a
    /// `read`; replied to with `resyncReadReply`, a `ClientReply`. Read from the leader's store
    /// as it is, without a read-index round: the follower replays the journal over it anyway,
    /// and a new leader's rounds wait on its no-op, which waits on this follower. Keeps the
    /// offer alive, as a page request does.
    public static let resyncRead = MessageType.application(33)
    public static let resyncReadReply = MessageType.application(34)
}
