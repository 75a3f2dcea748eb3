import JBRCore

// The machine form, for `jbr-server recon --json`. Numbers are raw values (replica 0, index 12);
// every object says what it is ("outcome", "work", "action"), so readers switch on one key.

extension ReconciliationOutcome: Encodable {
    private enum Key: String, CodingKey { case outcome, waitingFor, reason, description }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .planned(plan):
            try plan.encode(to: encoder)
        case let .undecided(waitingFor, reason):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode("undecided", forKey: .outcome)
            try container.encode(waitingFor.map(\.rawValue), forKey: .waitingFor)
            try container.encode(reason, forKey: .reason)
        case let .inconsistent(description):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode("inconsistent", forKey: .outcome)
            try container.encode(description, forKey: .description)
        }
    }
}

extension ReconciliationPlan: Encodable {
    private enum Key: String, CodingKey { case outcome, authority, authorityLast, committed, replicas }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode("planned", forKey: .outcome)
        try container.encode(authority.rawValue, forKey: .authority)
        try container.encode(PositionJSON(authorityLast), forKey: .authorityLast)
        try container.encode(committed.rawValue, forKey: .committed)
        try container.encode(directives, forKey: .replicas)
    }
}

extension ReplicaDirective: Encodable {
    private enum Key: String, CodingKey { case replica, work, last, agreesThrough, actions }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(replica.rawValue, forKey: .replica)
        let name: String
        switch work {
        case .authority: name = "authority"
        case .inSync: name = "inSync"
        case .repair: name = "repair"
        case .pending: name = "pending"
        }
        try container.encode(name, forKey: .work)
        try container.encodeIfPresent(last.map(PositionJSON.init), forKey: .last)
        try container.encodeIfPresent(agreesThrough?.rawValue, forKey: .agreesThrough)
        if case let .repair(actions) = work { try container.encode(actions, forKey: .actions) }
    }
}

extension ReconciliationAction: Encodable {
    private enum Key: String, CodingKey { case action, after, from, through, source, thenReplayFrom }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case let .truncate(after):
            try container.encode("truncate", forKey: .action)
            try container.encode(after.rawValue, forKey: .after)
        case let .replay(from, through, source):
            try container.encode("replay", forKey: .action)
            try container.encode(from.rawValue, forKey: .from)
            try container.encode(through.rawValue, forKey: .through)
            try container.encode(source.rawValue, forKey: .source)
        case let .fullResync(source, thenReplayFrom):
            try container.encode("fullResync", forKey: .action)
            try container.encode(source.rawValue, forKey: .source)
            try container.encode(thenReplayFrom.rawValue, forKey: .thenReplayFrom)
        }
    }
}

/// `{"term": 4, "index": 12}`: positions keep their two parts apart, never one number.
private struct PositionJSON: Encodable {
    var term: UInt64
    var index: UInt64

    init(_ position: LogPosition) {
        term = position.term.rawValue
        index = position.index.rawValue
    }
}
