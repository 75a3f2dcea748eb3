import JBRCore
import Logging
import NIOCore

extension WireConnection {
    /// Runs an authenticated channel as a `WireConnection` until it closes.
    ///
    /// Hands the connection to `opened` as soon as it can send and starts routing its frames
    /// (on the event loop, see `FrameRoutingHandler`), then waits for the channel to close and
    /// fails what is still waiting. Returns when the channel is closed.
    static func run(
        _ asyncChannel: NIOAsyncChannel<Frame, Frame>,
        peer: PeerIdentity,
        side: ConnectionSide,
        configuration: WireConfiguration,
        requestHandler: WireConnection.RequestHandler? = nil,
        logger: Logger,
        opened: (WireConnection) -> Void
    ) async {
        var connection: WireConnection?
        do {
            try await asyncChannel.executeThenClose { inbound, outbound in
                let open = WireConnection(
                    peer: peer,
                    side: side,
                    channel: asyncChannel.channel,
                    outbound: outbound,
                    configuration: configuration,
                    requestHandler: requestHandler,
                    logger: logger
                )
                connection = open
                // Queued before `opened` can make any call, so no reply overtakes it (and a
                // frame that came earlier waits in the handler until this runs).
                let channel = asyncChannel.channel
                channel.eventLoop.execute {
                    try? channel.pipeline.syncOperations.handler(type: FrameRoutingHandler.self).attach(open)
                }
                opened(open)
                await open.waitForEnd(inbound)
            }
        } catch {
            logger.debug("closing the channel failed", metadata: ["wire.error": "\(error)"])
        }
        connection?.finished.succeed()
    }

    /// Waits for the inbound side to end (every frame goes to `route`, none comes through
    /// here), then closes the calls and the request stream with the reason.
    private func waitForEnd(_ inbound: NIOAsyncChannelInboundStream<Frame>) async {
        logger.debug("connection open")
        var failure: JBRError?
        do {
            for try await _ in inbound {}
        } catch let error as JBRError {
            failure = error
        } catch is CancellationError {
            failure = .connectionClosed("stopped")
        } catch {
            failure = .connectionClosed("\(error)")
        }
        // The peer's connection-level error, if it sent one, closed the calls already.
        failure = calls.closeReason ?? failure
        let locally = closeRequested.withLock { $0 }
        calls.close(failure ?? .connectionClosed(locally ? "closed locally" : "closed by the peer"))
        if failure == nil {
            requestSink.finish()
        } else {
            requestSink.finish(throwing: calls.closeReason!)
        }
        logger.debug("connection closed", metadata: ["wire.reason": "\(calls.closeReason!)"])
    }

    /// Handles one received frame, on the channel's event loop. After the peer's
    /// connection-level error nothing more is routed: the connection closes next.
    func route(_ frame: Frame) {
        guard calls.closeReason == nil else { return }
        logger.trace("frame received", metadata: ["wire.type": "\(frame.type)", "wire.request": "\(frame.requestID)", "wire.bytes": "\(frame.body.readableBytes)"])
        switch frame.type {
        case .ping:
            channel.writeAndFlush(Frame(type: .pong, requestID: frame.requestID), promise: nil)
        case .pong:
            // Id 0 answers the idle handler's keepalive; nothing waits for it.
            if frame.requestID != 0 { completeCall(with: frame) }
        case .error where frame.requestID == 0:
            let error = frame.decodedError()
            logger.debug("peer closes the connection", metadata: ["wire.error": "\(error)"])
            calls.close(error)
        case .error where side.startedRequest(frame.requestID):
            completeCall(with: frame)
        case _ where frame.type.isApplication && frame.requestID == 0:
            guard let requestHandler else {
                return abort(JBRError(.protocolViolation, "a \(frame.type) notice on a connection that takes none"))
            }
            requestHandler(self, frame)
        case _ where frame.type.isApplication:
            if side.startedRequest(frame.requestID) {
                completeCall(with: frame)
            } else if let requestHandler {
                requestHandler(self, frame)
            } else {
                requestSink.yield(frame)
            }
        default:
            abort(JBRError(.protocolViolation, "unexpected \(frame.type) frame \(frame.requestID) after the handshake"))
        }
    }

    private func completeCall(with reply: Frame) {
        if !calls.complete(reply.requestID, with: .success(reply)) {
            // A reply after its call timed out or was cancelled.
            logger.debug("reply to no waiting call dropped", metadata: ["wire.request": "\(reply.requestID)"])
        }
    }
}
