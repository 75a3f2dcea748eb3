import JBRCore
import NIOCore
import Synchronization

/// The calls on one connection still waiting for their reply, by request id.
///
/// Whoever removes an entry completes its promise — the reply, the timeout, the caller's
/// cancellation or the connection closing — so each promise completes exactly once, and none
/// is left behind. After `close(_:)` every new call fails at once with the close reason.
final class PendingCalls: Sendable {
    private struct State {
        var nextRequestID: UInt64
        var waiting: [UInt64: EventLoopPromise<Frame>] = [:]
        var closeReason: JBRError?
    }

    private let state: Mutex<State>
    private let eventLoop: any EventLoop

    init(side: ConnectionSide, eventLoop: any EventLoop) {
        self.state = Mutex(State(nextRequestID: side.firstRequestID))
        self.eventLoop = eventLoop
    }

    /// Allocates the next request id of this side and a promise for its reply.
    func register() throws(JBRError) -> (requestID: UInt64, reply: EventLoopFuture<Frame>) {
        let promise = eventLoop.makePromise(of: Frame.self)
        let outcome: Result<UInt64, JBRError> = state.withLock { state in
            if let reason = state.closeReason { return .failure(reason) }
            let id = state.nextRequestID
            precondition(id <= UInt64.max - 2, "request ids exhausted on one connection")
            state.nextRequestID = id + 2
            state.waiting[id] = promise
            return .success(id)
        }
        switch outcome {
        case .success(let id):
            return (id, promise.futureResult)
        case .failure(let reason):
            promise.fail(reason)
            throw reason
        }
    }

    /// Completes the call `requestID` if it is still waiting. Returns false if it is not (a
    /// late reply after a timeout, or an id we never used).
    @discardableResult
    func complete(_ requestID: UInt64, with result: Result<Frame, any Error>) -> Bool {
        guard let promise = state.withLock({ $0.waiting.removeValue(forKey: requestID) }) else { return false }
        promise.completeWith(result)
        return true
    }

    /// Fails every waiting call with `reason` and refuses new ones. The first reason sticks.
    func close(_ reason: JBRError) {
        let (waiting, firstReason) = state.withLock { state in
            if state.closeReason == nil { state.closeReason = reason }
            defer { state.waiting = [:] }
            return (state.waiting, state.closeReason!)
        }
        for promise in waiting.values { promise.fail(firstReason) }
    }

    /// Why the connection closed, once it has.
    var closeReason: JBRError? { state.withLock { $0.closeReason } }
}
