import JBRCore
import NIOCore

/// The results of applied client requests, by request id: what makes a retried request get its
/// original answer instead of running twice (STYLE item 13). Replicated state: every replica
/// builds it by applying the same entries, so it survives a leader change and rolls back with the
/// journal. The store worker keeps a copy and persists it with every checkpoint, so a restarted
/// brick starts with the results of everything its store already holds.
public struct SessionTable: Sendable, Equatable {
    /// Per client: results by sequence, the newest `limit` kept.
    private var clients: [ClientID: ClientResults] = [:]
    /// Per client: the highest sequence whose result was evicted; anything at or below it is a
    /// retry too old to answer.
    private var forgottenThrough: [ClientID: UInt64] = [:]
    let limit: Int

    public init(limit: Int) { self.limit = limit }

    enum Lookup: Equatable {
        case unknown
        case done(OperationResult)
        /// Applied so long ago that the result is gone.
        case forgotten
    }

    /// What a replay answers for a request applied before a restart whose result was not yet
    /// persisted: it must not run again, and its original answer is not known.
    static let resultNotKept = OperationResult.failure(
        JBRError(.resultUnknown, "the request was applied before a brick restarted and its result was not kept; look the object up"))

    func lookup(_ request: RequestID) -> Lookup {
        if let result = clients[request.client]?.results[request.sequence] { return .done(result) }
        if let forgotten = forgottenThrough[request.client], request.sequence <= forgotten { return .forgotten }
        return .unknown
    }

    /// In place and O(1): this runs for every applied request.
    public mutating func record(_ request: RequestID, result: OperationResult) {
        if let evicted = clients[request.client, default: ClientResults()].record(request.sequence, result, limit: limit) {
            forgottenThrough[request.client] = max(forgottenThrough[request.client] ?? 0, evicted)
        }
    }

    /// Records an applied request whose result is unknown (a replay found its effect in place),
    /// unless a result is already known.
    public mutating func recordApplied(_ request: RequestID, result: OperationResult?) {
        if let result {
            record(request, result: result)
        } else if case .unknown = lookup(request) {
            record(request, result: Self.resultNotKept)
        }
    }
}

/// One client's remembered results, evicted oldest first.
struct ClientResults: Sendable, Equatable {
    var results: [UInt64: OperationResult] = [:]
    /// Sequences in the order first recorded; `order[head...]` are the ones still kept.
    private var order: [UInt64] = []
    private var head = 0

    /// Records a result; returns the sequence evicted to stay within `limit`, if any.
    mutating func record(_ sequence: UInt64, _ result: OperationResult, limit: Int) -> UInt64? {
        if results.updateValue(result, forKey: sequence) == nil { order.append(sequence) }
        guard results.count > limit else { return nil }
        let oldest = order[head]
        head += 1
        results[oldest] = nil
        if head > limit {
            order.removeFirst(head)
            head = 0
        }
        return oldest
    }

    static func == (a: ClientResults, b: ClientResults) -> Bool { a.results == b.results }
}

extension SessionTable {
    /// The snapshot's layout: limit u32, client count u32, then per client: id, forgotten-through
    /// u64, result count u32, (sequence u64, result) each. Versioned by `BinaryCodec`.
    public func encoded() -> ByteBuffer {
        BinaryCodec.encode(Snapshot(table: self))
    }

    public static func decode(_ bytes: ByteBuffer) throws -> SessionTable {
        try BinaryCodec.decode(Snapshot.self, from: bytes).table
    }

    private struct Snapshot: BinaryCodable {
        var table: SessionTable

        init(table: SessionTable) { self.table = table }

        func encode(to buffer: inout ByteBuffer) {
            buffer.writeLittleEndian(UInt32(table.limit))
            let ids = Set(table.clients.keys).union(table.forgottenThrough.keys).sorted { $0.uuid < $1.uuid }
            buffer.writeLittleEndian(UInt32(ids.count))
            for id in ids {
                buffer.write(id)
                buffer.writeLittleEndian(table.forgottenThrough[id] ?? 0)
                let results = (table.clients[id]?.results ?? [:]).sorted { $0.key < $1.key }
                buffer.writeLittleEndian(UInt32(results.count))
                for (sequence, result) in results {
                    buffer.writeLittleEndian(sequence)
                    buffer.write(result)
                }
            }
        }

        init(from buffer: inout ByteBuffer) throws(DecodingError) {
            let limit = Int(try buffer.readLittleEndian(UInt32.self, field: "session limit"))
            var table = SessionTable(limit: max(1, limit))
            let count = try buffer.readLength(limit: 1 << 24, field: "session clients")
            for _ in 0..<count {
                let id = try ClientID(from: &buffer)
                let forgotten = try buffer.readLittleEndian(UInt64.self, field: "forgotten through")
                if forgotten > 0 { table.forgottenThrough[id] = forgotten }
                let results = try buffer.readLength(limit: 1 << 24, field: "session results")
                var byClient = ClientResults()
                for _ in 0..<results {
                    let sequence = try buffer.readLittleEndian(UInt64.self, field: "sequence")
                    _ = byClient.record(sequence, try OperationResult(from: &buffer), limit: Int.max)
                }
                if results > 0 { table.clients[id] = byClient }
            }
            self.table = table
        }
    }
}
