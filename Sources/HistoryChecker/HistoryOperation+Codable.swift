/// One flat JSON object per operation, so a history is greppable JSON lines:
///
///     {"client":1,"completed":20,"invoked":10,"key":"f","op":"write","outcome":"ok","value":"a"}
///     {"client":2,"completed":40,"invoked":30,"key":"f","observed":["a"],"op":"read","outcome":"ok"}
///     {"client":3,"expected":null,"invoked":50,"key":"g","op":"cas","outcome":"indeterminate","value":"b"}
///
/// `observed` is `null` for an absent file; `expected` is `null` for "must be absent";
/// `completed` is omitted for an indeterminate operation that never returned; `swapped` carries a
/// compare-and-set's result.
extension HistoryOperation: Codable {
    enum CodingKeys: String, CodingKey {
        case client, key, op, value, expected, invoked, completed, outcome, observed, swapped
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try Self.decodeKind(c)
        let outcome = try Self.decodeOutcome(c, kind: kind)
        let invokedAt = try c.decode(UInt64.self, forKey: .invoked)
        let completedAt = try c.decodeIfPresent(UInt64.self, forKey: .completed)
        if let problem = Self.problem(kind: kind, invokedAt: invokedAt, completedAt: completedAt, outcome: outcome) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem))
        }
        self.init(
            client: try c.decode(UInt64.self, forKey: .client),
            key: try c.decode(String.self, forKey: .key),
            kind: kind,
            invokedAt: invokedAt,
            completedAt: completedAt,
            outcome: outcome
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(client, forKey: .client)
        try c.encode(key, forKey: .key)
        try c.encode(kind.name, forKey: .op)
        try c.encode(invokedAt, forKey: .invoked)
        try c.encodeIfPresent(completedAt, forKey: .completed)
        switch kind {
        case .read: break
        case .write(let value), .append(let value): try c.encode(value, forKey: .value)
        case .compareAndSet(let expected, let new):
            try c.encode(expected, forKey: .expected)  // `null` when the file must be absent
            try c.encode(new, forKey: .value)
        }
        switch outcome {
        case .ok(let result):
            try c.encode("ok", forKey: .outcome)
            switch result {
            case .done: break
            case .observed(.absent): try c.encodeNil(forKey: .observed)
            case .observed(.list(let values)): try c.encode(values, forKey: .observed)
            case .swapped(let swapped): try c.encode(swapped, forKey: .swapped)
            }
        case .failed: try c.encode("failed", forKey: .outcome)
        case .indeterminate: try c.encode("indeterminate", forKey: .outcome)
        }
    }

    private static func decodeKind(_ c: KeyedDecodingContainer<CodingKeys>) throws -> OperationKind {
        let name = try c.decode(String.self, forKey: .op)
        switch name {
        case "read": return .read
        case "write": return .write(try c.decode(String.self, forKey: .value))
        case "append": return .append(try c.decode(String.self, forKey: .value))
        case "cas":
            guard c.contains(.expected) else {
                throw DecodingError.keyNotFound(CodingKeys.expected, .init(codingPath: c.codingPath, debugDescription: "cas needs \"expected\" (null: absent)"))
            }
            return .compareAndSet(expected: try c.decode(String?.self, forKey: .expected), new: try c.decode(String.self, forKey: .value))
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: c, debugDescription: "unknown op \(String(reflecting: name))")
        }
    }

    private static func decodeOutcome(_ c: KeyedDecodingContainer<CodingKeys>, kind: OperationKind) throws -> OperationOutcome {
        let name = try c.decode(String.self, forKey: .outcome)
        switch name {
        case "failed": return .failed
        case "indeterminate": return .indeterminate
        case "ok": break
        default:
            throw DecodingError.dataCorruptedError(forKey: .outcome, in: c, debugDescription: "unknown outcome \(String(reflecting: name))")
        }
        switch kind {
        case .write, .append: return .ok(.done)
        case .compareAndSet: return .ok(.swapped(try c.decode(Bool.self, forKey: .swapped)))
        case .read:
            guard c.contains(.observed) else {
                throw DecodingError.keyNotFound(CodingKeys.observed, .init(codingPath: c.codingPath, debugDescription: "an ok read needs \"observed\" (null: absent)"))
            }
            if try c.decodeNil(forKey: .observed) { return .ok(.observed(.absent)) }
            return .ok(.observed(.list(try c.decode([String].self, forKey: .observed))))
        }
    }
}
