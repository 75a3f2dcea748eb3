import Foundation
import JBRClient
import JBRCore
import Logging
import NIOCore
import Testing
import Wire

/// What a brick does with peer messages that break the rules: they are one-way notices, from
/// the replica the handshake proved. One sent as a request, or claiming another sender, ends the
/// connection with a protocol violation; the volume goes on serving.
@Suite(.serialized)
struct PeerMessageRulesProcessTests {
    @Test func aPeerMessageAsARequestOrFromAnotherReplicaEndsTheConnection() async throws {
        try await ProcessVolume.with { volume in
            let leader = try await volume.leader()
            let configuration = try ClientVolfileConfiguration(graph: VolfileParser.parse(String(contentsOfFile: volume.clientVolfile, encoding: .utf8)))
            let secret = try #require(VolumeSecret(bytes: configuration.authSecret))
            let target = (leader + 1) % 3
            let claimed = configuration.replicaSets[0].bricks[(target + 1) % 3].replicaID
            let other = configuration.replicaSets[0].bricks[(target + 2) % 3].replicaID
            let identity = WireIdentity(credentials: WireCredentials(volumeID: configuration.volumeID, secret: secret), role: .peer(claimed), name: "impostor")
            var logger = Logger(label: "impostor")
            logger.logLevel = .critical
            func envelope(from sender: ReplicaID) -> ByteBuffer {
                var body = ByteBuffer()
                PeerEnvelope(
                    volumeID: configuration.volumeID, from: sender, to: configuration.replicaSets[0].bricks[target].replicaID, term: .zero,
                    message: .preVoteResponse(granted: false)
                ).encode(to: &body)
                return body
            }

            let asRequest = try await WireClient.connect(host: "127.0.0.1", port: volume.ports[target], identity: identity, logger: logger)
            await #expect(throws: JBRError.self) { _ = try await asRequest.call(.peerMessage, body: envelope(from: claimed), timeout: .seconds(10)) }
            #expect(await asRequest.waitUntilClosed().code == .protocolViolation)

            let posing = try await WireClient.connect(host: "127.0.0.1", port: volume.ports[target], identity: identity, logger: logger)
            _ = try posing.noticeNow(.peerMessage, body: envelope(from: other))
            #expect(await posing.waitUntilClosed().code == .protocolViolation)

            try await volume.client.writeFile("/after", data: Array("still serving".utf8))
            #expect(try await volume.client.readFile("/after") == Array("still serving".utf8))
        }
    }
}
