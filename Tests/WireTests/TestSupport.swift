import JBRCore
import Logging
import NIOCore
import NIOEmbedded
@testable import Wire

/// Fixed values shared by the Wire tests.
enum Fixture {
    static let volume = VolumeID(parsing: "6a1f0c4e-9b2d-4c3a-8e5f-0123456789ab")!
    static let otherVolume = VolumeID(parsing: "00000000-1111-4222-8333-444444444444")!
    static let secret = VolumeSecret(bytes: Array("correct horse battery staple!".utf8))!
    static let wrongSecret = VolumeSecret(bytes: Array("incorrect horse battery staple".utf8))!
    static let credentials = WireCredentials(volumeID: volume, secret: secret)

    static let serverIdentity = WireIdentity(credentials: credentials, role: .peer(ReplicaID(1)), name: "brick-1")
    static let clientIdentity = WireIdentity(credentials: credentials, role: .client, name: "client-a")

    static let logger = Logger(label: "wire-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func nonce(_ seed: UInt64) -> HandshakeNonce {
        var generator = SplitMix64(seed: seed)
        return HandshakeNonce.random(using: &generator)
    }

    static func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

/// Records the result of a future on an `EmbeddedEventLoop` without waiting (waiting on an
/// embedded loop's unfulfilled future would never return).
final class Observed<Value> {
    private(set) var result: Result<Value, Error>?

    init(_ future: EventLoopFuture<Value>) {
        future.assumeIsolated().whenComplete { self.result = $0 }
    }

    var value: Value? { try? result?.get() }

    var error: JBRError? {
        guard case .failure(let error) = result else { return nil }
        return error as? JBRError
    }
}

/// A pair of embedded channels with full Wire pipelines, connected by moving bytes by hand.
struct EmbeddedPair {
    let client: EmbeddedChannel
    let server: EmbeddedChannel
    let clientOutcome: Observed<PeerIdentity>
    let serverOutcome: Observed<PeerIdentity>

    init(
        clientIdentity: WireIdentity = Fixture.clientIdentity,
        serverIdentity: WireIdentity = Fixture.serverIdentity,
        addressFilter: AddressFilter = .allowAll,
        configuration: WireConfiguration = EmbeddedPair.configuration
    ) throws {
        client = EmbeddedChannel()
        server = EmbeddedChannel()
        clientOutcome = Observed(
            try WirePipeline.configureDialer(client, identity: clientIdentity, configuration: configuration, nonce: Fixture.nonce(1), logger: Fixture.logger)
        )
        serverOutcome = Observed(
            try WirePipeline.configureAcceptor(
                server,
                identity: serverIdentity,
                addressFilter: addressFilter,
                configuration: configuration,
                nonce: Fixture.nonce(2),
                logger: Fixture.logger
            )
        )
        let clientAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 40000)
        server.remoteAddress = clientAddress
        server.connect(to: clientAddress, promise: nil)
        client.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 7000), promise: nil)
    }

    static var configuration: WireConfiguration {
        var configuration = WireConfiguration()
        configuration.maxBodyBytes = 64 << 10
        configuration.maxInFlightRequests = 4
        configuration.handshakeTimeout = .seconds(5)
        configuration.idleTimeout = nil
        return configuration
    }

    /// Moves bytes both ways until neither side has anything more to send. Errors that reach
    /// the end of a pipeline are returned, not thrown: several tests expect them.
    @discardableResult
    func shuttle() -> [Error] {
        var errors: [Error] = []
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(client, server), (server, client)] {
                while let bytes = try? from.readOutbound(as: ByteBuffer.self) {
                    moved = true
                    if to.isActive {
                        do { try to.writeInbound(bytes) } catch { errors.append(error) }
                    }
                }
            }
        }
        return errors
    }

    func finish() {
        _ = try? client.finish(acceptAlreadyClosed: true)
        _ = try? server.finish(acceptAlreadyClosed: true)
    }
}

extension EmbeddedChannel {
    /// Every frame written out so far, decoded.
    func writtenFrames() throws -> [Frame] {
        var frames: [Frame] = []
        while var bytes = try readOutbound(as: ByteBuffer.self) {
            while let frame = try FrameDecoder.decodeFrame(from: &bytes, maxBodyBytes: 1 << 24) { frames.append(frame) }
        }
        return frames
    }
}
