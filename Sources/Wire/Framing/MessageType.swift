/// What a frame carries: one byte, an open set.
///
/// 1…15 are Wire's own control messages (handshake, errors, liveness), handled inside this module;
/// 16…255 are application messages that Wire carries opaquely and that later modules define.
/// 0 is never valid, so a zeroed header can never pass as a frame.
public struct MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The first application message type; everything below is reserved for Wire.
    public static let firstApplicationRawValue: UInt8 = 16

    // Control messages, in handshake order.
    /// Client → server: versions, volume id, role, nonce, name.
    public static let hello = MessageType(rawValue: 1)
    /// Server → client: chosen version, server nonce, server replica id and name.
    public static let challenge = MessageType(rawValue: 2)
    /// Client → server: HMAC of the transcript under the volume secret.
    public static let proof = MessageType(rawValue: 3)
    /// Server → client: the server's own HMAC of the transcript (mutual authentication).
    public static let welcome = MessageType(rawValue: 4)
    /// Either way: a `JBRError`. With request id 0 it ends the connection; otherwise it replies
    /// to the request with that id.
    public static let error = MessageType(rawValue: 5)
    /// Either way, after the handshake: answered by Wire with a `pong` of the same request id.
    public static let ping = MessageType(rawValue: 6)
    public static let pong = MessageType(rawValue: 7)

    /// Creates an application message type. Precondition: `rawValue >= 16`.
    public static func application(_ rawValue: UInt8) -> MessageType {
        precondition(rawValue >= firstApplicationRawValue, "message type \(rawValue) is reserved for Wire")
        return MessageType(rawValue: rawValue)
    }

    /// Defined by a later module and carried by Wire without looking inside.
    public var isApplication: Bool { rawValue >= MessageType.firstApplicationRawValue }

    /// One of Wire's own messages (1…15).
    public var isControl: Bool { rawValue != 0 && !isApplication }

    public var description: String {
        switch self {
        case .hello: return "hello"
        case .challenge: return "challenge"
        case .proof: return "proof"
        case .welcome: return "welcome"
        case .error: return "error"
        case .ping: return "ping"
        case .pong: return "pong"
        default: return isApplication ? "app\(rawValue)" : "control\(rawValue)"
        }
    }
}
