import JBRCore

/// The requests a peer has sent on one connection that have not been answered yet.
///
/// Counts application requests received minus replies sent: a request is an application frame
/// whose id the peer numbered (`ConnectionSide`); a reply is an application or error frame we
/// send with such an id. Tracking the ids themselves (not just a count) means a reply sent
/// twice cannot open the limit, and a peer reusing an outstanding id is caught. A notice (an
/// application frame with request id 0) is one-way: nobody answers it, so it is not counted.
struct InFlightRequests {
    let limit: Int
    let side: ConnectionSide
    private(set) var outstanding: Set<UInt64> = []

    init(limit: Int, side: ConnectionSide) {
        precondition(limit > 0)
        self.limit = limit
        self.side = side
    }

    /// Accounts for a received frame. Returns the error to end the connection with, if it
    /// breaks the rules: over the limit, or an id already outstanding.
    mutating func received(_ frame: Frame) -> JBRError? {
        guard frame.type.isApplication, frame.requestID != 0 else { return nil }
        guard side.peerStartedRequest(frame.requestID) else { return nil }  // a reply to us
        guard !outstanding.contains(frame.requestID) else {
            return JBRError(.protocolViolation, "request id \(frame.requestID) reused while still in flight")
        }
        guard outstanding.count < limit else {
            return JBRError(.tooManyInFlight, "more than \(limit) requests in flight on one connection")
        }
        outstanding.insert(frame.requestID)
        return nil
    }

    /// Accounts for a sent frame: a reply ends its request.
    mutating func sent(_ frame: Frame) {
        guard frame.type.isApplication || frame.type == .error, side.peerStartedRequest(frame.requestID) else { return }
        outstanding.remove(frame.requestID)
    }
}
