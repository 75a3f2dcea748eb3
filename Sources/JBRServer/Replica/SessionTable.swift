import JBRCore

/// The results of applied client requests, by request id: what makes a retried request get its
/// original answer instead of running twice (STYLE item 13). Replicated state: every replica
/// builds it by applying the same entries, so it survives a leader change and rolls back with the
/// journal.
struct SessionTable: Sendable {
    /// Per client: results by sequence, the newest `limit` kept.
    private var clients: [ClientID: [UInt64: OperationResult]] = [:]
    /// Per client: the highest sequence whose result was evicted; anything at or below it is a
    /// retry too old to answer.
    private var forgottenThrough: [ClientID: UInt64] = [:]
    let limit: Int

    init(limit: Int) { self.limit = limit }

    enum Lookup: Equatable {
        case unknown
        case done(OperationResult)
        /// Applied so long ago that the result is gone.
        case forgotten
    }

    func lookup(_ request: RequestID) -> Lookup {
        if let result = clients[request.client]?[request.sequence] { return .done(result) }
        if let forgotten = forgottenThrough[request.client], request.sequence <= forgotten { return .forgotten }
        return .unknown
    }

    mutating func record(_ request: RequestID, result: OperationResult) {
        var results = clients[request.client, default: [:]]
        results[request.sequence] = result
        if results.count > limit, let oldest = results.keys.min() {
            results[oldest] = nil
            forgottenThrough[request.client] = max(forgottenThrough[request.client] ?? 0, oldest)
        }
        clients[request.client] = results
    }
}
