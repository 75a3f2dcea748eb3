import JBRCore
import NIOCore

/// The accepting side of the handshake, as a pure state machine: frames in, actions out, no
/// channel inside (STYLE item 2). `ServerHandshakeHandler` drives it.
///
/// ```
/// awaitingConnection --opened, address allowed--> awaitingHello --hello ok--> awaitingProof
///   --proof verifies--> established          (any failure, or the timeout --> failed)
/// ```
/// The admission and address checks come first, before a byte is read. The volume id and version are checked
/// on hello; the client's HMAC on proof, in constant time. Every handshake frame carries request
/// id 0; anything else, in any state, is a `.protocolViolation`.
package struct ServerHandshake {
    enum State: Equatable {
        case awaitingConnection
        case awaitingHello
        case awaitingProof(HandshakeTranscript, PeerIdentity)
        case established
        case failed
    }

    private(set) var state: State = .awaitingConnection
    private let credentials: WireCredentials
    private let replica: ReplicaID
    private let name: String
    private let versions: ClosedRange<UInt8>
    private let addressFilter: AddressFilter
    private let nonce: HandshakeNonce
    private let refusal: JBRError?

    /// - Parameter refusal: set when the server turns the connection away before any
    ///   handshake (too many connections); it is sent as soon as the connection opens.
    package init(
        credentials: WireCredentials,
        replica: ReplicaID,
        name: String,
        versions: ClosedRange<UInt8>,
        addressFilter: AddressFilter,
        nonce: HandshakeNonce,
        refusal: JBRError? = nil
    ) {
        precondition(PeerIdentity.isValidName(name), "server name '\(name)' is not a valid peer name")
        self.credentials = credentials
        self.replica = replica
        self.name = name
        self.versions = versions
        self.addressFilter = addressFilter
        self.nonce = nonce
        self.refusal = refusal
    }

    /// The connection is open. Refuses it at once if the server said so, or if the address is
    /// outside `auth.allow` (or inside `auth.reject`), before anything is read.
    package mutating func connectionOpened(from address: IPAddress?) -> HandshakeAction {
        precondition(state == .awaitingConnection, "connectionOpened twice")
        if let refusal {
            return fail(refusal, notifyPeer: true)
        }
        guard addressFilter.permits(address) else {
            return fail(JBRError(.authenticationFailed, "address not allowed: \(address.map(\.description) ?? "none")"), notifyPeer: true)
        }
        state = .awaitingHello
        return .none
    }

    package mutating func receive(_ frame: Frame) -> HandshakeAction {
        switch state {
        case .awaitingConnection:
            preconditionFailure("frame received before the connection opened")
        case .awaitingHello:
            return receiveHello(frame)
        case .awaitingProof(let transcript, let peer):
            return receiveProof(frame, transcript: transcript, peer: peer)
        case .established:
            preconditionFailure("the handshake handler leaves the pipeline once established")
        case .failed:
            return .none  // frames that were already decoded when the connection failed
        }
    }

    /// The handshake timeout expired.
    package mutating func handshakeTimedOut() -> HandshakeAction {
        switch state {
        case .awaitingConnection, .awaitingHello:
            return fail(JBRError(.timedOut, "handshake not completed in time: no hello"), notifyPeer: true)
        case .awaitingProof:
            return fail(JBRError(.timedOut, "handshake not completed in time: no proof"), notifyPeer: true)
        case .established:
            preconditionFailure("handshake timer still running after the handshake completed")
        case .failed:
            return .none
        }
    }

    private mutating func receiveHello(_ frame: Frame) -> HandshakeAction {
        if case let (error, notifyPeer)? = frame.handshakeRefusal(expecting: .hello) { return fail(error, notifyPeer: notifyPeer) }
        let hello: HelloMessage
        do {
            hello = try BinaryCodec.decode(HelloMessage.self, from: frame.body)
        } catch {
            return fail(JBRError(.protocolViolation, "undecodable hello: \(error)"), notifyPeer: true)
        }
        guard hello.volumeID == credentials.volumeID else {
            return fail(JBRError(.wrongVolume, "volume \(hello.volumeID) is not served here"), notifyPeer: true)
        }
        let lowest = max(hello.versions.lowerBound, versions.lowerBound)
        let highest = min(hello.versions.upperBound, versions.upperBound)
        guard lowest <= highest else {
            let detail = "client speaks versions \(hello.versions.lowerBound)…\(hello.versions.upperBound), this server \(versions.lowerBound)…\(versions.upperBound)"
            return fail(JBRError(.unsupportedVersion, detail), notifyPeer: true)
        }
        let challenge = ChallengeMessage(version: highest, nonce: nonce, replica: replica, name: name)
        let challengeBody = BinaryCodec.encode(challenge)
        let transcript = HandshakeTranscript(helloBody: frame.body, challengeBody: challengeBody)
        state = .awaitingProof(transcript, PeerIdentity(role: hello.role, name: hello.name, protocolVersion: highest))
        return .send(Frame(type: .challenge, requestID: 0, body: challengeBody))
    }

    private mutating func receiveProof(_ frame: Frame, transcript: HandshakeTranscript, peer: PeerIdentity) -> HandshakeAction {
        if case let (error, notifyPeer)? = frame.handshakeRefusal(expecting: .proof) { return fail(error, notifyPeer: notifyPeer) }
        let proof: TranscriptMAC
        do {
            proof = try BinaryCodec.decode(TranscriptMAC.self, from: frame.body)
        } catch {
            return fail(JBRError(.protocolViolation, "undecodable proof: \(error)"), notifyPeer: true)
        }
        guard transcript.verify(proof, by: .client, secret: credentials.secret) else {
            return fail(JBRError(.authenticationFailed, "wrong proof of the volume secret"), notifyPeer: true)
        }
        state = .established
        let welcome = transcript.mac(by: .server, secret: credentials.secret)
        return .established(peer, send: Frame(type: .welcome, requestID: 0, body: BinaryCodec.encode(welcome)))
    }

    private mutating func fail(_ error: JBRError, notifyPeer: Bool) -> HandshakeAction {
        state = .failed
        return .fail(error, notifyPeer: notifyPeer)
    }
}
