import JBRCore

/// Who this end of a connection is, as it introduces itself in the handshake.
public struct WireIdentity: Sendable {
    public var credentials: WireCredentials
    /// `.client` for a client process; `.peer(replica)` for a brick. A `WireServer` is always a
    /// brick, so its role must be `.peer`.
    public var role: WireRole
    /// A short name for the other side's logs (printable ASCII, at most
    /// `PeerIdentity.maxNameBytes`), e.g. the host name or brick path tag.
    public var name: String

    /// Precondition: `name` is valid (`PeerIdentity.isValidName`); a bad name is a
    /// configuration bug, caught where the identity is built.
    public init(credentials: WireCredentials, role: WireRole, name: String) {
        precondition(PeerIdentity.isValidName(name), "'\(name)' is not a valid Wire name: up to \(PeerIdentity.maxNameBytes) printable ASCII bytes, no spaces")
        self.credentials = credentials
        self.role = role
        self.name = name
    }
}
