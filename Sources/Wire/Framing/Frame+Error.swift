import JBRCore
import NIOCore

extension Frame {
    /// An `error` frame carrying `error` (its `BinaryCodec` encoding). Request id 0 reports a
    /// connection-level failure; another id answers that request.
    package static func error(_ error: JBRError, requestID: UInt64 = 0) -> Frame {
        Frame(type: .error, requestID: requestID, body: BinaryCodec.encode(error))
    }

    /// The `JBRError` an `error` frame carries. A body that does not decode is itself reported
    /// as a `.protocolViolation`, so a caller always gets a `JBRError`.
    package func decodedError() -> JBRError {
        precondition(type == .error, "decodedError() on a \(type) frame")
        do {
            return try BinaryCodec.decode(JBRError.self, from: body)
        } catch {
            return JBRError(.protocolViolation, "peer sent an undecodable error frame: \(error)")
        }
    }
}
