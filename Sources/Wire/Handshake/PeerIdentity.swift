import JBRCore

/// What a connection's end is: a client process, or a brick of the volume with its replica id.
public enum WireRole: Hashable, Sendable, CustomStringConvertible {
    case client
    case peer(ReplicaID)

    public var description: String {
        switch self {
        case .client: return "client"
        case .peer(let replica): return "peer \(replica)"
        }
    }
}

/// Who is at the other end of an authenticated connection, as the handshake established it.
public struct PeerIdentity: Hashable, Sendable, CustomStringConvertible {
    public var role: WireRole
    /// The short name the peer gave (printable ASCII, at most `maxNameBytes`); for logs.
    public var name: String
    /// The negotiated protocol version.
    public var protocolVersion: UInt8

    public init(role: WireRole, name: String, protocolVersion: UInt8) {
        self.role = role
        self.name = name
        self.protocolVersion = protocolVersion
    }

    /// Longest name a handshake carries.
    public static let maxNameBytes = 64

    /// Names are 0–64 bytes of printable ASCII without spaces, so they are safe in a log line.
    public static func isValidName(_ name: String) -> Bool {
        name.utf8.count <= maxNameBytes && name.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    public var description: String { "\(role) '\(name)' v\(protocolVersion)" }
}

/// What a handshake state machine asks its channel handler to do next.
package enum HandshakeAction: Equatable {
    /// Nothing yet; wait for the next frame.
    case none
    case send(Frame)
    /// The handshake succeeded: send `send` (if any), then the connection belongs to the
    /// application.
    case established(PeerIdentity, send: Frame?)
    /// The handshake failed: if `notifyPeer`, send the error to the peer; then close.
    /// (An error the peer sent us is not echoed back.)
    case fail(JBRError, notifyPeer: Bool)
}

/// Fired down the pipeline when the handshake succeeds, so handlers that only make sense on an
/// authenticated connection (the idle timer) start then.
struct WireHandshakeCompleted: Hashable, Sendable {
    var peer: PeerIdentity
}

extension Frame {
    /// Why this frame cannot be the handshake message `expected`, if it cannot, and whether the
    /// peer should hear about it. An `error` frame is the peer giving up (not echoed); any other
    /// type, or a request id other than 0, breaks the protocol.
    func handshakeRefusal(expecting expected: MessageType) -> (JBRError, notifyPeer: Bool)? {
        if type == .error {
            return (decodedError(), false)
        }
        guard type == expected else {
            return (JBRError(.protocolViolation, "expected \(expected) during the handshake, got \(type)"), true)
        }
        guard requestID == 0 else {
            return (JBRError(.protocolViolation, "handshake \(type) with request id \(requestID), not 0"), true)
        }
        return nil
    }
}
