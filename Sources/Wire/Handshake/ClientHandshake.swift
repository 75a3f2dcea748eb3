import JBRCore
import NIOCore

/// The dialing side of the handshake, as a pure state machine. `ClientHandshakeHandler` drives
/// it.
///
/// ```
/// idle --start: send hello--> awaitingChallenge --challenge: send proof--> awaitingWelcome
///   --server's proof verifies--> established       (any failure, or the timeout --> failed)
/// ```
/// Authentication is mutual: the client only trusts the server once the server has proved the
/// volume secret over the same transcript, so a rogue server without the secret fails here.
package struct ClientHandshake {
    enum State: Equatable {
        case idle
        case awaitingChallenge(helloBody: ByteBuffer)
        case awaitingWelcome(HandshakeTranscript, PeerIdentity)
        case established
        case failed
    }

    private(set) var state: State = .idle
    private let credentials: WireCredentials
    private let role: WireRole
    private let name: String
    private let versions: ClosedRange<UInt8>
    private let nonce: HandshakeNonce

    package init(credentials: WireCredentials, role: WireRole, name: String, versions: ClosedRange<UInt8>, nonce: HandshakeNonce) {
        precondition(PeerIdentity.isValidName(name), "client name '\(name)' is not a valid peer name")
        self.credentials = credentials
        self.role = role
        self.name = name
        self.versions = versions
        self.nonce = nonce
    }

    /// The connection is open: returns the hello to send.
    package mutating func start() -> HandshakeAction {
        precondition(state == .idle, "start() twice")
        let hello = HelloMessage(versions: versions, volumeID: credentials.volumeID, role: role, nonce: nonce, name: name)
        let body = BinaryCodec.encode(hello)
        state = .awaitingChallenge(helloBody: body)
        return .send(Frame(type: .hello, requestID: 0, body: body))
    }

    package mutating func receive(_ frame: Frame) -> HandshakeAction {
        switch state {
        case .idle:
            return fail(JBRError(.protocolViolation, "server sent \(frame.type) before the hello"), notifyPeer: true)
        case .awaitingChallenge(let helloBody):
            return receiveChallenge(frame, helloBody: helloBody)
        case .awaitingWelcome(let transcript, let server):
            return receiveWelcome(frame, transcript: transcript, server: server)
        case .established:
            preconditionFailure("the handshake handler leaves the pipeline once established")
        case .failed:
            return .none
        }
    }

    package mutating func handshakeTimedOut() -> HandshakeAction {
        switch state {
        case .idle, .awaitingChallenge:
            return fail(JBRError(.timedOut, "handshake not completed in time: no challenge"), notifyPeer: true)
        case .awaitingWelcome:
            return fail(JBRError(.timedOut, "handshake not completed in time: no welcome"), notifyPeer: true)
        case .established:
            preconditionFailure("handshake timer still running after the handshake completed")
        case .failed:
            return .none
        }
    }

    private mutating func receiveChallenge(_ frame: Frame, helloBody: ByteBuffer) -> HandshakeAction {
        if case let (error, notifyPeer)? = frame.handshakeRefusal(expecting: .challenge) { return fail(error, notifyPeer: notifyPeer) }
        let challenge: ChallengeMessage
        do {
            challenge = try BinaryCodec.decode(ChallengeMessage.self, from: frame.body)
        } catch {
            return fail(JBRError(.protocolViolation, "undecodable challenge: \(error)"), notifyPeer: true)
        }
        guard versions.contains(challenge.version) else {
            let detail = "server chose version \(challenge.version), not one of \(versions.lowerBound)…\(versions.upperBound)"
            return fail(JBRError(.protocolViolation, detail), notifyPeer: true)
        }
        let transcript = HandshakeTranscript(helloBody: helloBody, challengeBody: frame.body)
        let server = PeerIdentity(role: .peer(challenge.replica), name: challenge.name, protocolVersion: challenge.version)
        state = .awaitingWelcome(transcript, server)
        let proof = transcript.mac(by: .client, secret: credentials.secret)
        return .send(Frame(type: .proof, requestID: 0, body: BinaryCodec.encode(proof)))
    }

    private mutating func receiveWelcome(_ frame: Frame, transcript: HandshakeTranscript, server: PeerIdentity) -> HandshakeAction {
        if case let (error, notifyPeer)? = frame.handshakeRefusal(expecting: .welcome) { return fail(error, notifyPeer: notifyPeer) }
        let welcome: TranscriptMAC
        do {
            welcome = try BinaryCodec.decode(TranscriptMAC.self, from: frame.body)
        } catch {
            return fail(JBRError(.protocolViolation, "undecodable welcome: \(error)"), notifyPeer: true)
        }
        guard transcript.verify(welcome, by: .server, secret: credentials.secret) else {
            return fail(JBRError(.authenticationFailed, "the server could not prove it knows the volume secret"), notifyPeer: true)
        }
        state = .established
        return .established(server, send: nil)
    }

    private mutating func fail(_ error: JBRError, notifyPeer: Bool) -> HandshakeAction {
        state = .failed
        return .fail(error, notifyPeer: notifyPeer)
    }
}
