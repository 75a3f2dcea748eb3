import JBRCore
import Logging
import NIOCore
import Testing
import Wire
@testable import JBRServer

/// A brick's server before the brick is attached (peers connect as soon as it listens) and
/// after it stops: requests are told it is not serving, notices are dropped, and the
/// connection stays up.
@Suite(.timeLimit(.minutes(1)))
struct RequestRouterTests {
    @Test func withoutABrickRequestsAreRefusedAndNoticesDropped() async throws {
        let secret = try #require(VolumeSecret(bytes: Array("a volume secret long enough".utf8)))
        let credentials = WireCredentials(volumeID: ReplicaSetHarness.volume, secret: secret)
        var logger = Logger(label: "router-test")
        logger.logLevel = .critical
        let router = RequestRouter()
        let server = try await WireServer.bind(
            host: "127.0.0.1", port: 0, identity: WireIdentity(credentials: credentials, role: .peer(ReplicaID(0)), name: "brick-0"),
            requestHandler: { connection, frame in router.route(frame, on: connection) }, logger: logger)
        let peer = try await WireClient.connect(
            host: "127.0.0.1", port: server.port, identity: WireIdentity(credentials: credentials, role: .peer(ReplicaID(1)), name: "brick-1"),
            logger: logger)
        _ = try peer.noticeNow(.peerMessage, body: ByteBuffer(string: "a heartbeat, early"))
        let refusal = await #expect(throws: JBRError.self) { _ = try await peer.call(.status, timeout: .seconds(10)) }
        #expect(refusal?.code == .shuttingDown, "the connection outlived the notice and the request was answered")
        await peer.close()
        await server.close()
    }
}
