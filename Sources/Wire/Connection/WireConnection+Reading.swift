import JBRCore
import Logging
import NIOCore

extension WireConnection {
    /// Runs an authenticated channel as a `WireConnection` until it closes.
    ///
    /// Hands the connection to `opened` as soon as it can send, then reads until the channel
    /// closes, routing each frame, and finally fails what is still waiting. Returns when the
    /// channel is closed.
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
                opened(open)
                await open.readLoop(inbound, outbound)
            }
        } catch {
            logger.debug("closing the channel failed", metadata: ["wire.error": "\(error)"])
        }
        connection?.finished.succeed()
    }

    private func readLoop(_ inbound: NIOAsyncChannelInboundStream<Frame>, _ outbound: NIOAsyncChannelOutboundWriter<Frame>) async {
        logger.debug("connection open")
        var failure: JBRError?
        do {
            for try await frame in inbound where failure == nil {
                // After the peer's connection-level error nothing more is routed: it closes next.
                failure = try await route(frame, outbound)
            }
        } catch let error as JBRError {
            failure = failure ?? error
        } catch is CancellationError {
            failure = failure ?? .connectionClosed("stopped")
        } catch {
            failure = failure ?? .connectionClosed("\(error)")
        }
        let clean = failure == nil
        let locally = closeRequested.withLock { $0 }
        calls.close(failure ?? .connectionClosed(locally ? "closed locally" : "closed by the peer"))
        if clean {
            requestSink.finish()
        } else {
            requestSink.finish(throwing: calls.closeReason!)
        }
        logger.debug("connection closed", metadata: ["wire.reason": "\(calls.closeReason!)"])
    }

    /// Handles one received frame.
    /// - Returns: the error the peer ended the connection with, if this frame carried one.
    private func route(_ frame: Frame, _ outbound: NIOAsyncChannelOutboundWriter<Frame>) async throws -> JBRError? {
        logger.trace("frame received", metadata: ["wire.type": "\(frame.type)", "wire.request": "\(frame.requestID)", "wire.bytes": "\(frame.body.readableBytes)"])
        switch frame.type {
        case .ping:
            try await outbound.write(Frame(type: .pong, requestID: frame.requestID))
        case .pong:
            // Id 0 answers the idle handler's keepalive; nothing waits for it.
            if frame.requestID != 0 { completeCall(with: frame) }
        case .error where frame.requestID == 0:
            let error = frame.decodedError()
            logger.debug("peer closes the connection", metadata: ["wire.error": "\(error)"])
            calls.close(error)
            return error
        case .error where side.startedRequest(frame.requestID):
            completeCall(with: frame)
        case _ where frame.type.isApplication:
            if side.startedRequest(frame.requestID) {
                completeCall(with: frame)
            } else if let requestHandler {
                requestHandler(self, frame)
            } else {
                requestSink.yield(frame)
            }
        default:
            // The ErrorReportingHandler tells the peer and closes; the loop then ends with it.
            channel.pipeline.fireErrorCaught(JBRError(.protocolViolation, "unexpected \(frame.type) frame \(frame.requestID) after the handshake"))
        }
        return nil
    }

    private func completeCall(with reply: Frame) {
        if !calls.complete(reply.requestID, with: .success(reply)) {
            // A reply after its call timed out or was cancelled.
            logger.debug("reply to no waiting call dropped", metadata: ["wire.request": "\(reply.requestID)"])
        }
    }
}
