import JBRCore
import NIOCore

/// 32 random bytes each side contributes to the transcript, so a recorded proof never
/// verifies on another connection.
package struct HandshakeNonce: Hashable, Sendable {
    package static let byteCount = 32
    package let bytes: [UInt8]

    package init(bytes: [UInt8]) {
        precondition(bytes.count == HandshakeNonce.byteCount, "a nonce has \(HandshakeNonce.byteCount) bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    /// Production passes `SystemRandomNumberGenerator` (cryptographic quality); tests pass a
    /// seeded generator.
    package static func random(using generator: inout some RandomNumberGenerator) -> HandshakeNonce {
        HandshakeNonce(bytes: (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

/// Client → server, first message.
struct HelloMessage: BinaryCodable, Hashable {
    var versions: ClosedRange<UInt8>
    var volumeID: VolumeID
    var role: WireRole
    var nonce: HandshakeNonce
    var name: String

    func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(versions.lowerBound)
        buffer.writeLittleEndian(versions.upperBound)
        buffer.write(volumeID)
        buffer.write(role)
        buffer.writeBytes(nonce.bytes)
        buffer.writeLengthPrefixed(string: name)
    }

    init(versions: ClosedRange<UInt8>, volumeID: VolumeID, role: WireRole, nonce: HandshakeNonce, name: String) {
        self.versions = versions
        self.volumeID = volumeID
        self.role = role
        self.nonce = nonce
        self.name = name
    }

    init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        let minimum = try buffer.readLittleEndian(UInt8.self, field: "minimum version")
        let maximum = try buffer.readLittleEndian(UInt8.self, field: "maximum version")
        guard minimum <= maximum else {
            throw DecodingError(.invalidValue(field: "versions", detail: "minimum \(minimum) above maximum \(maximum)"), offset: offset)
        }
        self.versions = minimum...maximum
        self.volumeID = try buffer.read(VolumeID.self)
        self.role = try buffer.read(WireRole.self)
        self.nonce = try HandshakeNonce(from: &buffer)
        self.name = try readName(from: &buffer)
    }
}

/// Server → client, answer to hello.
struct ChallengeMessage: BinaryCodable, Hashable {
    var version: UInt8
    var nonce: HandshakeNonce
    var replica: ReplicaID
    var name: String

    init(version: UInt8, nonce: HandshakeNonce, replica: ReplicaID, name: String) {
        self.version = version
        self.nonce = nonce
        self.replica = replica
        self.name = name
    }

    func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(version)
        buffer.writeBytes(nonce.bytes)
        buffer.write(replica)
        buffer.writeLengthPrefixed(string: name)
    }

    init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.version = try buffer.readLittleEndian(UInt8.self, field: "version")
        self.nonce = try HandshakeNonce(from: &buffer)
        self.replica = try buffer.read(ReplicaID.self)
        self.name = try readName(from: &buffer)
    }
}

/// The body of `proof` (client) and `welcome` (server): one HMAC-SHA256 of the transcript.
struct TranscriptMAC: BinaryCodable, Hashable {
    static let byteCount = 32
    var bytes: [UInt8]

    init(bytes: [UInt8]) {
        precondition(bytes.count == TranscriptMAC.byteCount)
        self.bytes = bytes
    }

    func encode(to buffer: inout ByteBuffer) { buffer.writeBytes(bytes) }

    init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.bytes = try buffer.readFixedBytes(TranscriptMAC.byteCount, field: "transcript MAC")
    }
}

extension HandshakeNonce {
    init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(bytes: try buffer.readFixedBytes(HandshakeNonce.byteCount, field: "nonce"))
    }
}

extension WireRole: BinaryCodable {
    private static let clientTag: UInt8 = 1
    private static let peerTag: UInt8 = 2

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .client:
            buffer.writeLittleEndian(WireRole.clientTag)
        case .peer(let replica):
            buffer.writeLittleEndian(WireRole.peerTag)
            buffer.write(replica)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        switch try buffer.readLittleEndian(UInt8.self, field: "role") {
        case WireRole.clientTag: self = .client
        case WireRole.peerTag: self = .peer(try buffer.read(ReplicaID.self))
        case let tag: throw DecodingError(.unknownTag(type: "role", tag: UInt64(tag)), offset: offset)
        }
    }
}

private func readName(from buffer: inout ByteBuffer) throws(DecodingError) -> String {
    let offset = buffer.readerIndex
    let name = try buffer.readLengthPrefixedString(limit: PeerIdentity.maxNameBytes, field: "name")
    guard PeerIdentity.isValidName(name) else {
        throw DecodingError(.invalidValue(field: "name", detail: "not printable ASCII"), offset: offset)
    }
    return name
}
