import Crypto
import NIOCore

/// The bytes both proofs authenticate: a fixed context string, then the hello and challenge
/// bodies exactly as they crossed the wire, each with a u32 length.
///
/// Binding the whole hello and challenge binds the volume id, both nonces, both roles, the
/// offered and chosen versions (no downgrade) and the names. The client proves with label
/// "client" and the server with "server", so neither proof can be reflected back as the other.
struct HandshakeTranscript: Hashable {
    static let context = Array("JBR Wire handshake v1".utf8)

    enum Side: Hashable {
        case client, server

        var label: [UInt8] {
            switch self {
            case .client: return Array("client".utf8)
            case .server: return Array("server".utf8)
            }
        }
    }

    let bytes: [UInt8]

    init(helloBody: ByteBuffer, challengeBody: ByteBuffer) {
        var buffer = ByteBuffer()
        buffer.writeBytes(HandshakeTranscript.context)
        buffer.writeLengthPrefixed(buffer: helloBody)
        buffer.writeLengthPrefixed(buffer: challengeBody)
        self.bytes = Array(buffer.readableBytesView)
    }

    /// HMAC-SHA256(secret, transcript ‖ label of `side`).
    func mac(by side: Side, secret: VolumeSecret) -> TranscriptMAC {
        let code = HMAC<SHA256>.authenticationCode(for: bytes + side.label, using: secret.key)
        return TranscriptMAC(bytes: Array(code))
    }

    /// Whether `mac` is `side`'s proof. Compares in constant time (Crypto's HMAC validation),
    /// so the time taken tells an attacker nothing about how close a guess was.
    func verify(_ mac: TranscriptMAC, by side: Side, secret: VolumeSecret) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac.bytes, authenticating: bytes + side.label, using: secret.key)
    }
}
