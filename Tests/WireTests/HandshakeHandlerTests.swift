import JBRCore
import NIOCore
import NIOEmbedded
import Testing
@testable import Wire

@Suite struct HandshakeHandlerTests {
    @Test func handshakeCompletesAndHandlersLeave() throws {
        let pair = try EmbeddedPair()
        defer { pair.finish() }
        #expect(pair.shuttle().isEmpty)
        #expect(pair.clientOutcome.value == PeerIdentity(role: .peer(ReplicaID(1)), name: "brick-1", protocolVersion: 1))
        #expect(pair.serverOutcome.value == PeerIdentity(role: .client, name: "client-a", protocolVersion: 1))
        #expect(throws: (any Error).self) { try pair.server.pipeline.syncOperations.handler(type: ServerHandshakeHandler.self) }
        #expect(throws: (any Error).self) { try pair.client.pipeline.syncOperations.handler(type: ClientHandshakeHandler.self) }

        // Application frames now flow, with the full body limit (above the handshake's 4 KiB),
        // up to the router (taken out here: it hands frames to a `WireConnection`, not the test).
        let router = try pair.server.pipeline.syncOperations.handler(type: FrameRoutingHandler.self)
        _ = pair.server.pipeline.syncOperations.removeHandler(router)
        let request = Frame(type: .application(16), requestID: 1, body: ByteBuffer(repeating: 7, count: 10_000))
        try pair.client.writeOutbound(request)
        pair.shuttle()
        #expect(try pair.server.readInbound(as: Frame.self) == request)
    }

    @Test func wrongSecretFailsBothSides() throws {
        let impostor = WireIdentity(credentials: WireCredentials(volumeID: Fixture.volume, secret: Fixture.wrongSecret), role: .client, name: "impostor")
        let pair = try EmbeddedPair(clientIdentity: impostor)
        defer { pair.finish() }
        pair.shuttle()
        #expect(pair.serverOutcome.error?.code == .authenticationFailed)
        #expect(pair.clientOutcome.error?.code == .authenticationFailed)
        #expect(!pair.server.isActive)
    }

    @Test func wrongVolumeIsReportedToTheClient() throws {
        let stranger = WireIdentity(credentials: WireCredentials(volumeID: Fixture.otherVolume, secret: Fixture.secret), role: .client, name: "stranger")
        let pair = try EmbeddedPair(clientIdentity: stranger)
        defer { pair.finish() }
        pair.shuttle()
        #expect(pair.clientOutcome.error?.code == .wrongVolume)
        #expect(pair.serverOutcome.error?.code == .wrongVolume)
    }

    @Test func refusedAddressIsToldAndClosedBeforeReading() throws {
        let server = EmbeddedChannel()
        defer { _ = try? server.finish(acceptAlreadyClosed: true) }
        let outcome = Observed(try configureServer(server, filter: try AddressFilter(allow: "10.*")))
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 40000)
        server.remoteAddress = address
        server.connect(to: address, promise: nil)
        let frames = try server.writtenFrames()
        #expect(frames.count == 1)
        #expect(frames.first?.type == .error)
        #expect(frames.first?.decodedError().code == .authenticationFailed)
        #expect(frames.first?.decodedError().detail.contains("address not allowed") == true)
        #expect(!server.isActive)
        #expect(outcome.error?.code == .authenticationFailed)
    }

    @Test func applicationFrameBeforeTheHandshakeIsAViolation() throws {
        let server = EmbeddedChannel()
        defer { _ = try? server.finish(acceptAlreadyClosed: true) }
        let outcome = Observed(try configureServer(server))
        try activate(server)
        #expect(throws: JBRError.self) {
            try server.writeInbound(Frame(type: .application(16), requestID: 1, body: Fixture.buffer("early")).encoded())
        }
        #expect(try server.writtenFrames().map { $0.decodedError().code } == [.protocolViolation])
        #expect(!server.isActive)
        #expect(outcome.error?.code == .protocolViolation)
        #expect(try server.readInbound(as: Frame.self) == nil)
    }

    @Test func silentClientTimesOut() throws {
        let server = EmbeddedChannel()
        defer { _ = try? server.finish(acceptAlreadyClosed: true) }
        let outcome = Observed(try configureServer(server))
        try activate(server)
        server.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(server.isActive)
        server.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try server.writtenFrames().map { $0.decodedError().code } == [.timedOut])
        #expect(!server.isActive)
        #expect(outcome.error?.code == .timedOut)
    }

    @Test func silentServerTimesOutTheClient() throws {
        let client = EmbeddedChannel()
        defer { _ = try? client.finish(acceptAlreadyClosed: true) }
        let outcome = Observed(
            try WirePipeline.configureDialer(client, identity: Fixture.clientIdentity, configuration: EmbeddedPair.configuration, nonce: Fixture.nonce(1), logger: Fixture.logger)
        )
        try activate(client)
        #expect(try client.writtenFrames().map(\.type) == [.hello])
        client.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(outcome.error?.code == .timedOut)
        #expect(!client.isActive)
    }

    /// Before authentication a stranger can make the server buffer a few KiB, not 16 MiB.
    @Test func largeFrameBeforeTheHandshakeIsRefusedOnItsHeader() throws {
        let server = EmbeddedChannel()
        defer { _ = try? server.finish(acceptAlreadyClosed: true) }
        let outcome = Observed(try configureServer(server))
        try activate(server)
        let hello = Frame(type: .hello, requestID: 0, body: ByteBuffer(repeating: 0, count: 5000)).encoded()
        #expect(throws: JBRError.self) { try server.writeInbound(hello.getSlice(at: 0, length: FrameHeader.size)!) }
        #expect(outcome.error?.code == .frameTooLarge)
        #expect(try server.writtenFrames().map { $0.decodedError().code } == [.frameTooLarge])
    }

    @Test func closeDuringTheHandshakeFailsTheOutcome() throws {
        let server = EmbeddedChannel()
        let outcome = Observed(try configureServer(server))
        try activate(server)
        _ = try server.finish(acceptAlreadyClosed: true)
        #expect(outcome.error?.code == .connectionClosed)
    }

    private func configureServer(_ channel: EmbeddedChannel, filter: AddressFilter = .allowAll) throws -> EventLoopFuture<PeerIdentity> {
        try WirePipeline.configureAcceptor(
            channel,
            identity: Fixture.serverIdentity,
            addressFilter: filter,
            configuration: EmbeddedPair.configuration,
            nonce: Fixture.nonce(2),
            logger: Fixture.logger
        )
    }
}
