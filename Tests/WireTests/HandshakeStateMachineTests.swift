import JBRCore
import NIOCore
import Testing
@testable import Wire

@Suite struct HandshakeStateMachineTests {
    static let versions: ClosedRange<UInt8> = 1...1

    static func server(
        secret: VolumeSecret = Fixture.secret,
        volume: VolumeID = Fixture.volume,
        versions: ClosedRange<UInt8> = versions,
        filter: AddressFilter = .allowAll,
        nonceSeed: UInt64 = 2
    ) -> ServerHandshake {
        ServerHandshake(
            credentials: WireCredentials(volumeID: volume, secret: secret),
            replica: ReplicaID(3),
            name: "brick-3",
            versions: versions,
            addressFilter: filter,
            nonce: Fixture.nonce(nonceSeed)
        )
    }

    static func client(
        secret: VolumeSecret = Fixture.secret,
        volume: VolumeID = Fixture.volume,
        versions: ClosedRange<UInt8> = versions,
        role: WireRole = .client,
        nonceSeed: UInt64 = 1
    ) -> ClientHandshake {
        ClientHandshake(credentials: WireCredentials(volumeID: volume, secret: secret), role: role, name: "client-a", versions: versions, nonce: Fixture.nonce(nonceSeed))
    }

    static let localhost = IPAddress(parsing: "127.0.0.1")

    @Test func happyPathAuthenticatesBothSides() throws {
        var client = Self.client(role: .peer(ReplicaID(2)))
        var server = Self.server()
        #expect(server.connectionOpened(from: Self.localhost) == .none)
        let hello = try #require(sent(client.start()))
        #expect(hello.type == .hello && hello.requestID == 0)
        let challenge = try #require(sent(server.receive(hello)))
        #expect(challenge.type == .challenge)
        let proof = try #require(sent(client.receive(challenge)))
        #expect(proof.type == .proof)

        guard case .established(let clientSeen, let welcome?) = server.receive(proof) else {
            Issue.record("server did not accept the proof")
            return
        }
        #expect(clientSeen == PeerIdentity(role: .peer(ReplicaID(2)), name: "client-a", protocolVersion: 1))
        #expect(welcome.type == .welcome)
        #expect(client.receive(welcome) == .established(PeerIdentity(role: .peer(ReplicaID(3)), name: "brick-3", protocolVersion: 1), send: nil))
        #expect(server.state == .established && client.state == .established)

        // The secret itself never crosses the wire.
        let secretBytes = Array("correct horse battery staple!".utf8)
        for frame in [hello, challenge, proof, welcome] {
            #expect(!Array(frame.body.readableBytesView).containsSubsequence(secretBytes))
        }
    }

    @Test func versionNegotiationPicksTheHighestCommon() throws {
        var client = Self.client(versions: 1...3)
        var server = Self.server(versions: 2...5)
        _ = server.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        let challenge = try #require(sent(server.receive(hello)))
        let decoded = try BinaryCodec.decode(ChallengeMessage.self, from: challenge.body)
        #expect(decoded.version == 3)
    }

    @Test func noCommonVersionIsRefused() throws {
        var client = Self.client(versions: 2...3)
        var server = Self.server(versions: 1...1)
        _ = server.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        let action = server.receive(hello)
        #expect(failure(action)?.code == .unsupportedVersion)
        #expect(notifies(action))
    }

    @Test func clientRefusesAVersionItDidNotOffer() throws {
        var client = Self.client(versions: 1...1)
        var server = Self.server(versions: 1...2)
        _ = server.connectionOpened(from: Self.localhost)
        var hello = try #require(sent(client.start()))
        // A hello that claims 1...2, answered with 2, reaching a client that offered only 1.
        var decoded = try BinaryCodec.decode(HelloMessage.self, from: hello.body)
        decoded.versions = 1...2
        hello.body = BinaryCodec.encode(decoded)
        let challenge = try #require(sent(server.receive(hello)))
        #expect(failure(client.receive(challenge))?.code == .protocolViolation)
    }

    @Test func wrongVolumeIsRefused() throws {
        var client = Self.client(volume: Fixture.otherVolume)
        var server = Self.server()
        _ = server.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        let action = server.receive(hello)
        #expect(failure(action)?.code == .wrongVolume)
        #expect(server.state == .failed)
    }

    @Test func clientWithTheWrongSecretIsRefused() throws {
        var client = Self.client(secret: Fixture.wrongSecret)
        var server = Self.server()
        _ = server.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        let challenge = try #require(sent(server.receive(hello)))
        let proof = try #require(sent(client.receive(challenge)))
        let action = server.receive(proof)
        #expect(failure(action)?.code == .authenticationFailed)
        #expect(notifies(action))
        // The client hears the refusal and does not echo it.
        let refusal = Frame.error(failure(action)!)
        let heard = client.receive(refusal)
        #expect(failure(heard)?.code == .authenticationFailed)
        #expect(!notifies(heard))
    }

    /// A rogue server without the secret cannot produce the welcome: mutual authentication.
    @Test func serverWithoutTheSecretIsRefused() throws {
        var client = Self.client()
        var rogue = Self.server(secret: Fixture.wrongSecret)
        _ = rogue.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        let challenge = try #require(sent(rogue.receive(hello)))
        let proof = try #require(sent(client.receive(challenge)))
        // The rogue cannot check the proof; it answers with what it can compute.
        let transcript = HandshakeTranscript(helloBody: hello.body, challengeBody: challenge.body)
        let forged = Frame(type: .welcome, requestID: 0, body: BinaryCodec.encode(transcript.mac(by: .server, secret: Fixture.wrongSecret)))
        var clientCopy = client
        #expect(failure(clientCopy.receive(forged))?.code == .authenticationFailed)
        // Nor can it reflect the client's own proof back as the welcome.
        let reflected = Frame(type: .welcome, requestID: 0, body: proof.body)
        #expect(failure(client.receive(reflected))?.code == .authenticationFailed)
    }

    /// A proof recorded on one connection does not open another: the server nonce differs.
    @Test func recordedProofDoesNotReplay() throws {
        var client = Self.client()
        var first = Self.server(nonceSeed: 10)
        _ = first.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        let challenge = try #require(sent(first.receive(hello)))
        let proof = try #require(sent(client.receive(challenge)))

        var second = Self.server(nonceSeed: 11)
        _ = second.connectionOpened(from: Self.localhost)
        _ = second.receive(hello)
        #expect(failure(second.receive(proof))?.code == .authenticationFailed)
    }

    @Test func refusedAddressFailsBeforeAnythingElse() throws {
        var server = Self.server(filter: try AddressFilter(allow: "10.*"))
        let action = server.connectionOpened(from: Self.localhost)
        #expect(failure(action)?.code == .authenticationFailed)
        #expect(failure(action)?.detail.contains("address not allowed") == true)
        #expect(notifies(action))
        #expect(server.receive(Frame(type: .hello, requestID: 0)) == .none)  // ignored once failed
    }

    @Test func fullServerRefusesBeforeTheAddressCheck() {
        var server = ServerHandshake(
            credentials: Fixture.credentials,
            replica: ReplicaID(3),
            name: "brick-3",
            versions: Self.versions,
            addressFilter: .allowAll,
            nonce: Fixture.nonce(2),
            refusal: JBRError(.overloaded, "full")
        )
        let action = server.connectionOpened(from: Self.localhost)
        #expect(failure(action) == JBRError(.overloaded, "full"))
        #expect(notifies(action))
    }

    @Test(arguments: [
        Frame(type: .proof, requestID: 0, body: ByteBuffer(repeating: 0, count: 33)),
        Frame(type: .application(16), requestID: 1),
        Frame(type: .ping, requestID: 0),
        Frame(type: .hello, requestID: 5),
        Frame(type: .hello, requestID: 0, body: ByteBuffer(string: "not a hello")),
    ])
    func serverRefusesAnythingButAHelloFirst(frame: Frame) {
        var server = Self.server()
        _ = server.connectionOpened(from: Self.localhost)
        let action = server.receive(frame)
        #expect(failure(action)?.code == .protocolViolation)
        #expect(notifies(action))
    }

    @Test func serverRefusesASecondHelloInsteadOfAProof() throws {
        var client = Self.client()
        var server = Self.server()
        _ = server.connectionOpened(from: Self.localhost)
        let hello = try #require(sent(client.start()))
        _ = server.receive(hello)
        #expect(failure(server.receive(hello))?.code == .protocolViolation)
    }

    @Test func clientRefusesAWelcomeBeforeTheChallenge() {
        var client = Self.client()
        _ = client.start()
        #expect(failure(client.receive(Frame(type: .welcome, requestID: 0, body: ByteBuffer(repeating: 0, count: 32))))?.code == .protocolViolation)
    }

    @Test func peerErrorsEndTheHandshakeWithoutAnEcho() {
        var server = Self.server()
        _ = server.connectionOpened(from: Self.localhost)
        let action = server.receive(.error(JBRError(.shuttingDown, "bye")))
        #expect(failure(action) == JBRError(.shuttingDown, "bye"))
        #expect(!notifies(action))
    }

    @Test func timeoutsFailWithTimedOut() throws {
        var server = Self.server()
        _ = server.connectionOpened(from: Self.localhost)
        #expect(failure(server.handshakeTimedOut())?.code == .timedOut)
        #expect(server.handshakeTimedOut() == .none)  // already failed

        var waitingForProof = Self.server()
        _ = waitingForProof.connectionOpened(from: Self.localhost)
        var client = Self.client()
        let hello = try #require(sent(client.start()))
        _ = waitingForProof.receive(hello)
        #expect(failure(waitingForProof.handshakeTimedOut())?.detail.contains("no proof") == true)

        #expect(failure(client.handshakeTimedOut())?.code == .timedOut)
    }

    private func sent(_ action: HandshakeAction) -> Frame? {
        if case .send(let frame) = action { return frame }
        Issue.record("expected a frame to send, got \(action)")
        return nil
    }

    private func failure(_ action: HandshakeAction) -> JBRError? {
        if case .fail(let error, _) = action { return error }
        return nil
    }

    private func notifies(_ action: HandshakeAction) -> Bool {
        if case .fail(_, let notifyPeer) = action { return notifyPeer }
        return false
    }
}

extension Array where Element: Equatable {
    func containsSubsequence(_ needle: [Element]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
