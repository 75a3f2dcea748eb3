import JBRCore
import NIOCore
import NIOEmbedded
import Testing
@testable import Wire

@Suite struct ErrorReportingHandlerTests {
    @Test func firstJBRErrorIsSentThenTheConnectionCloses() throws {
        let channel = EmbeddedChannel(handlers: [MessageToByteHandler(FrameEncoder()), ErrorReportingHandler(logger: Fixture.logger)])
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try activate(channel)
        let error = JBRError(.tooManyInFlight, "more than 4 requests in flight")
        channel.pipeline.fireErrorCaught(error)
        channel.pipeline.fireErrorCaught(JBRError(.protocolViolation, "a second problem"))
        let frames = try channel.writtenFrames()
        #expect(frames.count == 1)
        #expect(frames.first?.requestID == 0)
        #expect(frames.first?.decodedError() == error)
        #expect(!channel.isActive)
        #expect(throws: JBRError.self) { try channel.throwIfErrorCaught() }
    }

    @Test func otherErrorsCloseWithoutAFrame() throws {
        let channel = EmbeddedChannel(handlers: [MessageToByteHandler(FrameEncoder()), ErrorReportingHandler(logger: Fixture.logger)])
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try activate(channel)
        channel.pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        #expect(try channel.writtenFrames().isEmpty)
        #expect(!channel.isActive)
    }

    @Test func decoderErrorReachesThePeerAsAnErrorFrame() throws {
        let channel = EmbeddedChannel(handlers: [
            ByteToMessageHandler(FrameDecoder(maxBodyBytes: 64)),
            MessageToByteHandler(FrameEncoder()),
            ErrorReportingHandler(logger: Fixture.logger),
        ])
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try activate(channel)
        let oversize = Frame(type: .application(16), requestID: 1, body: ByteBuffer(repeating: 0, count: 65)).encoded()
        #expect(throws: JBRError.self) { try channel.writeInbound(oversize) }
        let frames = try channel.writtenFrames()
        #expect(frames.map { $0.decodedError().code } == [.frameTooLarge])
        #expect(!channel.isActive)
        #expect(try channel.readInbound(as: Frame.self) == nil)
    }

    @Test func framesAfterAFailureAreDropped() throws {
        let channel = EmbeddedChannel(handlers: [ErrorReportingHandler(logger: Fixture.logger)])
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try activate(channel)
        try channel.writeInbound(Frame(type: .application(16), requestID: 1))
        #expect(try channel.readInbound(as: Frame.self) != nil)
        channel.pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        _ = try? channel.writeInbound(Frame(type: .application(16), requestID: 3))
        #expect(try channel.readInbound(as: Frame.self) == nil)
    }
}

@Suite struct InFlightLimiterTests {
    @Test func countsRequestsMinusReplies() {
        var requests = InFlightRequests(limit: 2, side: .acceptor)
        #expect(requests.received(Frame(type: .application(16), requestID: 1)) == nil)
        #expect(requests.received(Frame(type: .application(16), requestID: 3)) == nil)
        #expect(requests.received(Frame(type: .application(16), requestID: 5))?.code == .tooManyInFlight)
        requests.sent(Frame(type: .application(17), requestID: 1))
        #expect(requests.received(Frame(type: .application(16), requestID: 5)) == nil)
        requests.sent(.error(JBRError(.ENOENT), requestID: 3))  // an error reply ends a request too
        #expect(requests.outstanding == [5])
    }

    @Test func repliesToUsAndControlFramesDoNotCount() {
        var requests = InFlightRequests(limit: 1, side: .acceptor)
        #expect(requests.received(Frame(type: .application(16), requestID: 2)) == nil)  // even: answers our call
        #expect(requests.received(Frame(type: .ping, requestID: 7)) == nil)
        #expect(requests.received(Frame(type: .application(16), requestID: 1)) == nil)
        #expect(requests.received(Frame(type: .application(16), requestID: 4)) == nil)
        #expect(requests.outstanding == [1])
        var dialer = InFlightRequests(limit: 1, side: .dialer)
        #expect(dialer.received(Frame(type: .application(16), requestID: 2)) == nil)
        #expect(dialer.outstanding == [2])
    }

    @Test func duplicateRepliesDoNotOpenTheLimit() {
        var requests = InFlightRequests(limit: 1, side: .acceptor)
        #expect(requests.received(Frame(type: .application(16), requestID: 1)) == nil)
        requests.sent(Frame(type: .application(16), requestID: 9))  // not outstanding: ignored
        #expect(requests.received(Frame(type: .application(16), requestID: 3))?.code == .tooManyInFlight)
    }

    @Test func reusedIdIsAViolationAndNoticesAreNotCounted() {
        var requests = InFlightRequests(limit: 1, side: .acceptor)
        #expect(requests.received(Frame(type: .application(16), requestID: 1)) == nil)
        #expect(requests.received(Frame(type: .application(16), requestID: 1))?.code == .protocolViolation)
        // Notices (id 0) are one-way: never answered, so never held against the limit.
        for _ in 0..<3 { #expect(requests.received(Frame(type: .application(16), requestID: 0)) == nil) }
        #expect(requests.outstanding == [1])
    }

    @Test func handlerClosesWhenTheLimitIsExceeded() throws {
        let channel = EmbeddedChannel(handlers: [
            MessageToByteHandler(FrameEncoder()),
            InFlightLimitHandler(limit: 2, side: .acceptor),
            ErrorReportingHandler(logger: Fixture.logger),
        ])
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        try activate(channel)
        try channel.writeInbound(Frame(type: .application(16), requestID: 1))
        try channel.writeInbound(Frame(type: .application(16), requestID: 3))
        try channel.writeOutbound(Frame(type: .application(17), requestID: 1))  // reply frees a slot
        try channel.writeInbound(Frame(type: .application(16), requestID: 5))
        #expect(try channel.readInbound(as: Frame.self)?.requestID == 1)
        #expect(try channel.readInbound(as: Frame.self)?.requestID == 3)
        #expect(try channel.readInbound(as: Frame.self)?.requestID == 5)
        #expect(throws: JBRError.self) { try channel.writeInbound(Frame(type: .application(16), requestID: 7)) }
        #expect(try channel.readInbound(as: Frame.self) == nil)
        let frames = try channel.writtenFrames()
        #expect(frames.map(\.type) == [.application(17), .error])
        #expect(frames.last?.decodedError().code == .tooManyInFlight)
        #expect(!channel.isActive)
    }
}

@Suite struct IdleTimeoutHandlerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handlers: [
            MessageToByteHandler(FrameEncoder()),
            IdleTimeoutHandler(timeout: .seconds(10)),
            ErrorReportingHandler(logger: Fixture.logger),
        ])
        try activate(channel)
        return channel
    }

    private let established = WireHandshakeCompleted(peer: PeerIdentity(role: .client, name: "c", protocolVersion: 1))

    @Test func waitsForTheHandshake() throws {
        let channel = try makeChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        #expect(try channel.writtenFrames().isEmpty)
    }

    @Test func pingsAtHalfTimeThenClosesAtTheTimeout() throws {
        let channel = try makeChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        channel.pipeline.fireUserInboundEventTriggered(established)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(try channel.writtenFrames().isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try channel.writtenFrames() == [Frame(type: .ping, requestID: 0)])
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try channel.writtenFrames().map { $0.decodedError().code } == [.timedOut])
        #expect(!channel.isActive)
    }

    @Test func anyFrameKeepsTheConnectionAlive() throws {
        let channel = try makeChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        channel.pipeline.fireUserInboundEventTriggered(established)
        for _ in 0..<10 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(4))
            try channel.writeInbound(Frame(type: .pong, requestID: 0))
        }
        #expect(channel.isActive)
        #expect(try channel.writtenFrames().isEmpty)
        // Silence after a ping is answered: a new ping, not a close.
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        try channel.writeInbound(Frame(type: .pong, requestID: 0))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        #expect(try channel.writtenFrames().map(\.type) == [.ping, .ping])
    }
}

func activate(_ channel: EmbeddedChannel) throws {
    let address = try SocketAddress(ipAddress: "127.0.0.1", port: 40000)
    channel.remoteAddress = address
    channel.connect(to: address, promise: nil)
}

@Suite struct PendingCallsTests {
    @Test func idsFollowTheSideAndEachCallCompletesOnce() throws {
        let loop = EmbeddedEventLoop()
        let dialer = PendingCalls(side: .dialer, eventLoop: loop)
        let first = try dialer.register()
        let second = try dialer.register()
        #expect([first.requestID, second.requestID] == [1, 3])
        let acceptor = PendingCalls(side: .acceptor, eventLoop: loop)
        #expect(try acceptor.register().requestID == 2)
        acceptor.close(.connectionClosed("test over"))  // every promise must complete

        let reply = Observed(first.reply)
        #expect(dialer.complete(1, with: .success(Frame(type: .application(17), requestID: 1))))
        #expect(!dialer.complete(1, with: .success(Frame(type: .application(17), requestID: 1))))  // late duplicate
        #expect(!dialer.complete(99, with: .success(Frame(type: .application(17), requestID: 99))))
        #expect(reply.value?.requestID == 1)

        let waiting = Observed(second.reply)
        dialer.close(.connectionClosed("closed by the peer"))
        #expect(waiting.error == .connectionClosed("closed by the peer"))
        #expect(throws: JBRError.connectionClosed("closed by the peer")) { try dialer.register() }
        dialer.close(JBRError(.EIO))
        #expect(dialer.closeReason == .connectionClosed("closed by the peer"))  // the first reason sticks
    }
}
