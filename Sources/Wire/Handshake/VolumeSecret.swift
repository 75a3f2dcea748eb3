import Crypto
import JBRCore

/// The shared secret of a volume. Every brick and client of the volume holds it; the handshake
/// proves knowledge of it by challenge–response, so it never crosses the wire.
///
/// Never printed: `description` is redacted so it cannot leak into a log line.
public struct VolumeSecret: Sendable, CustomStringConvertible {
    /// Shorter secrets are refused: 16 random bytes are out of reach of offline guessing.
    public static let minimumBytes = 16

    let key: SymmetricKey

    /// Returns nil when `bytes` is shorter than `minimumBytes`.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count >= VolumeSecret.minimumBytes else { return nil }
        self.key = SymmetricKey(data: Array(bytes))
    }

    /// A fresh secret, e.g. when a volume is created.
    public static func random(using generator: inout some RandomNumberGenerator) -> VolumeSecret {
        VolumeSecret(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })!
    }

    public var description: String { "VolumeSecret(redacted)" }
}

/// What both ends of a connection must agree on: the volume, and its secret.
public struct WireCredentials: Sendable {
    public var volumeID: VolumeID
    public var secret: VolumeSecret

    public init(volumeID: VolumeID, secret: VolumeSecret) {
        self.volumeID = volumeID
        self.secret = secret
    }
}
