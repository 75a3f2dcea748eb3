/// Which end of a connection this is, which decides how each end numbers its requests.
///
/// The dialer uses odd request ids and the acceptor even ones (0 is "no request"), as HTTP/2
/// splits stream ids: both ends can call each other on one connection (leader ↔ follower) and
/// a received frame's id alone says whether it answers one of our calls or is a new request.
package enum ConnectionSide: Hashable, Sendable {
    case dialer
    case acceptor

    /// The id of this side's first request; each next one is 2 higher.
    var firstRequestID: UInt64 {
        switch self {
        case .dialer: return 1
        case .acceptor: return 2
        }
    }

    /// Whether `requestID` numbers a request this side started (so a frame carrying it is a
    /// reply to us).
    func startedRequest(_ requestID: UInt64) -> Bool {
        guard requestID != 0 else { return false }
        switch self {
        case .dialer: return requestID % 2 == 1
        case .acceptor: return requestID % 2 == 0
        }
    }

    /// Whether `requestID` numbers a request the other side started.
    func peerStartedRequest(_ requestID: UInt64) -> Bool {
        requestID != 0 && !startedRequest(requestID)
    }
}
