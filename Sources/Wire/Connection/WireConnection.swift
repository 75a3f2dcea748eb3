import JBRCore
import Logging
import NIOCore
import Synchronization

/// An authenticated Wire connection: send requests and wait for their replies, receive the
/// peer's requests and answer them.
///
/// Both sides may call each other (a leader calls its followers over the connection a follower
/// dialed, and the other way round): the dialer numbers its requests odd, the acceptor even, so
/// a received frame is either a reply to one of our `call`s or a new request in `requests`.
/// Wire answers `ping` itself. Every request the peer sends must get exactly one reply
/// (`send`/`reply`), which is what frees its slot under `maxInFlightRequests`; notices (request
/// id 0, `noticeNow`) get none.
///
/// Frames are routed on the channel's event loop as they are read (`FrameRoutingHandler`); a
/// reader task only waits for the channel to end. When the connection closes every waiting call
/// fails with the reason (the peer's error, a protocol error, or `connectionClosed`) and
/// `requests` ends. `close()` returns once all of that has happened.
public final class WireConnection: Sendable {
    /// Who is at the other end, as the handshake proved it.
    public let peer: PeerIdentity
    public let remoteAddress: SocketAddress?
    /// The peer's requests, in arrival order; answer each with `send` or `reply`. Ends when the
    /// connection closes: normally on a clean close, with the `JBRError` otherwise. One
    /// consumer only. Holds at most `maxInFlightRequests` frames: the peer cannot send more
    /// before we answer.
    public let requests: AsyncThrowingStream<Frame, any Error>
    /// When set (by the server that accepted the connection), the peer's requests go to it,
    /// called on the connection's event loop as each arrives, instead of into `requests`: no
    /// task hop per request. It must not block; it answers with `sendNow`.
    let requestHandler: RequestHandler?
    public typealias RequestHandler = @Sendable (WireConnection, Frame) -> Void

    package let side: ConnectionSide
    let requestSink: AsyncThrowingStream<Frame, any Error>.Continuation
    let calls: PendingCalls
    let logger: Logger
    let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<Frame>
    private let configuration: WireConfiguration
    let finished: EventLoopPromise<Void>
    let closeRequested = Mutex(false)

    init(
        peer: PeerIdentity,
        side: ConnectionSide,
        channel: any Channel,
        outbound: NIOAsyncChannelOutboundWriter<Frame>,
        configuration: WireConfiguration,
        requestHandler: RequestHandler?,
        logger: Logger
    ) {
        self.requestHandler = requestHandler
        self.peer = peer
        self.side = side
        self.channel = channel
        self.remoteAddress = channel.remoteAddress
        self.outbound = outbound
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "wire.peer"] = "\(peer)"
        self.logger = logger
        self.calls = PendingCalls(side: side, eventLoop: channel.eventLoop)
        self.finished = channel.eventLoop.makePromise(of: Void.self)
        (self.requests, self.requestSink) = AsyncThrowingStream.makeStream(of: Frame.self, throwing: (any Error).self)
    }

    /// Sends an application request and waits for its reply.
    ///
    /// - Returns: the reply frame (any application type, same request id).
    /// - Throws: the `JBRError` the peer replied with; `.timedOut` when no reply comes within
    ///   `timeout` (default `WireConfiguration.defaultCallTimeout`); `.frameTooLarge` for a body
    ///   over this end's `maxBodyBytes` (nothing is sent); the close reason when the connection
    ///   closes first; `CancellationError` when the calling task is cancelled.
    /// Any number of calls may run at once from any tasks.
    public func call(_ type: MessageType, body: ByteBuffer = ByteBuffer(), timeout: Duration? = nil) async throws -> Frame {
        precondition(type.isApplication, "call() sends application messages; \(type) is Wire's own")
        let reply = try await exchange(type, body: body, timeout: timeout ?? configuration.defaultCallTimeout)
        if reply.type == .error { throw reply.decodedError() }
        return reply
    }

    /// Sends an application request and returns as soon as it is written; its reply (or the
    /// failure) completes the returned future.
    ///
    /// For streams of one-way messages (a leader's appends to a follower): requests posted one
    /// after another from one task leave in that order, without waiting a round trip each.
    /// The peer must still answer every request, promptly, or the in-flight limit closes the
    /// connection.
    public func post(_ type: MessageType, body: ByteBuffer = ByteBuffer()) async throws -> EventLoopFuture<Frame> {
        precondition(type.isApplication, "post() sends application messages; \(type) is Wire's own")
        try checkBodySize(body)
        let (requestID, reply) = try calls.register()
        do {
            try await outbound.write(Frame(type: type, requestID: requestID, body: body))
        } catch {
            let failure = writeFailure(error)
            calls.complete(requestID, with: .failure(failure))
            throw failure
        }
        return reply
    }

    /// Sends a reply: an application or `error` frame whose request id is that of a request
    /// from `requests`. Precondition: it is one (sending anything else is a bug in the caller).
    public func send(_ reply: Frame) async throws {
        precondition(reply.type.isApplication || reply.type == .error, "send() carries replies, not \(reply.type)")
        precondition(side.peerStartedRequest(reply.requestID), "request id \(reply.requestID) does not name a request from the peer")
        try checkBodySize(reply.body)
        do {
            try await outbound.write(reply)
        } catch {
            throw writeFailure(error)
        }
    }

    /// Sends a notice without suspending: a one-way application message (request id 0) that
    /// nobody answers and that does not count against `maxInFlightRequests`. The peer must take
    /// notices (a server with a request handler does). The returned future completes when the
    /// frame is written to the socket: how a sender paces itself, since no reply will.
    ///
    /// - Parameter flush: false to leave it with the channel until `flush()`, so that several
    ///   frames leave in one system call.
    public func noticeNow(_ type: MessageType, body: ByteBuffer = ByteBuffer(), flush: Bool = true) throws(JBRError) -> EventLoopFuture<Void> {
        precondition(type.isApplication, "noticeNow() sends application messages; \(type) is Wire's own")
        try checkBodySize(body)
        let frame = Frame(type: type, requestID: 0, body: body)
        return flush ? channel.writeAndFlush(frame) : channel.write(frame)
    }

    /// Sends what `noticeNow` and `sendNow` left unflushed.
    public func flush() {
        channel.flush()
    }

    /// The event loop the connection runs on.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Ends the connection because of what the peer sent: the peer is told `error`, then the
    /// connection closes (how to refuse a notice, which has no reply to carry an error).
    public func abort(_ error: JBRError) {
        channel.pipeline.fireErrorCaught(error)
    }

    /// Sends a reply without suspending (see `send`); a failed write means the connection is
    /// closing, which its reader reports. With `flush` false it waits for `flush()`.
    public func sendNow(_ reply: Frame, flush: Bool = true) throws(JBRError) {
        precondition(reply.type.isApplication || reply.type == .error, "sendNow() carries replies, not \(reply.type)")
        precondition(side.peerStartedRequest(reply.requestID), "request id \(reply.requestID) does not name a request from the peer")
        try checkBodySize(reply.body)
        if flush {
            channel.writeAndFlush(reply, promise: nil)
        } else {
            channel.write(reply, promise: nil)
        }
    }

    /// Answers `request` with an application message.
    public func reply(to request: Frame, type: MessageType, body: ByteBuffer = ByteBuffer()) async throws {
        try await send(Frame(type: type, requestID: request.requestID, body: body))
    }

    /// Answers `request` with an error; the caller's `call` throws it.
    public func reply(to request: Frame, error: JBRError) async throws {
        try await send(.error(error, requestID: request.requestID))
    }

    /// Sends a `ping` and waits for the `pong` (Wire answers pings itself).
    /// - Returns: the round-trip time.
    @discardableResult
    public func ping(timeout: Duration? = nil) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await exchange(.ping, body: ByteBuffer(), timeout: timeout ?? configuration.defaultCallTimeout)
        guard reply.type == .pong else { throw JBRError(.protocolViolation, "ping answered with \(reply.type)") }
        return clock.now - start
    }

    /// Closes the connection and returns when it is closed: waiting calls have failed and
    /// `requests` has ended. Safe to call more than once.
    public func close() async {
        closeNow()
        try? await finished.futureResult.get()
    }

    /// Starts closing the connection without waiting (`waitUntilClosed` says when it is done).
    public func closeNow() {
        closeRequested.withLock { $0 = true }
        channel.close(promise: nil)
    }

    /// Waits until the connection has closed, for whatever reason.
    /// - Returns: why it closed (`connectionClosed` after a clean close).
    @discardableResult
    public func waitUntilClosed() async -> JBRError {
        try? await finished.futureResult.get()
        return calls.closeReason ?? .connectionClosed("closed")
    }

    /// Sends `type` with a fresh request id and waits for the frame answering it or the timeout,
    /// whichever completes the pending call first. No task is made per call: the write and the
    /// timer are the event loop's, so a call costs one suspension.
    private func exchange(_ type: MessageType, body: ByteBuffer, timeout: Duration) async throws -> Frame {
        try checkBodySize(body)
        let (requestID, reply) = try calls.register()
        // Clamped so that no timeout overflows nanoseconds (a century is as good as forever).
        let seconds = min(timeout.components.seconds, 3_153_600_000)
        let delay = TimeAmount.nanoseconds(seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let timer = channel.eventLoop.scheduleTask(in: delay) { [calls] in
            calls.complete(requestID, with: .failure(JBRError(.timedOut, "no reply to \(type) request \(requestID) within \(timeout)")))
        }
        defer { timer.cancel() }
        channel.writeAndFlush(Frame(type: type, requestID: requestID, body: body)).whenFailure { [self] error in
            calls.complete(requestID, with: .failure(writeFailure(error)))
        }
        return try await withTaskCancellationHandler {
            try await reply.get()
        } onCancel: {
            calls.complete(requestID, with: .failure(CancellationError()))
        }
    }

    private func checkBodySize(_ body: ByteBuffer) throws(JBRError) {
        guard body.readableBytes <= configuration.maxBodyBytes else {
            throw JBRError(.frameTooLarge, "body of \(body.readableBytes) bytes is over the limit of \(configuration.maxBodyBytes) bytes")
        }
    }

    /// What a failed write means to the caller: cancellation stays cancellation; anything else
    /// means the connection is gone.
    private func writeFailure(_ error: any Error) -> any Error {
        if error is CancellationError { return error }
        return calls.closeReason ?? JBRError.connectionClosed("write failed: \(error)")
    }
}
