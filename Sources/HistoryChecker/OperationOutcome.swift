/// How an operation ended, as the client saw it (Jepsen's `ok` / `fail` / `info`).
public enum OperationOutcome: Hashable, Sendable, CustomStringConvertible {
    /// It took effect, between its invocation and its completion, and returned this.
    case ok(OperationResult)
    /// It certainly did not take effect (for example, refused before it was sequenced).
    case failed
    /// Unknown (timed out, connection lost): it may have taken effect at any time after its
    /// invocation, even after the client gave up, or never. Its completion is +infinity.
    case indeterminate

    public var description: String {
        switch self {
        case .ok(.done): "ok"
        case .ok(let result): "ok \(result)"
        case .failed: "failed"
        case .indeterminate: "indeterminate"
        }
    }
}
