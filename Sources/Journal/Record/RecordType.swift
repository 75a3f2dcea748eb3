/// What a journal record holds. The journal stores bodies opaquely; the type says who reads them.
public enum RecordType: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A client's modifying operation (JBRCore `OperationEntry`).
    case operation = 1
    /// The first record a new leader writes in its term (JBRCore `TermStartEntry`); commits the
    /// earlier terms' records with it.
    case termStart = 2
    /// A change of the replica set's membership.
    case configuration = 3
    /// A geo-replication cursor, so a slave's progress survives with the journal.
    case geoCursor = 4

    public var description: String {
        switch self {
        case .operation: "operation"
        case .termStart: "term-start"
        case .configuration: "configuration"
        case .geoCursor: "geo-cursor"
        }
    }
}

/// How a record's body is stored.
public enum RecordCodec: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case raw = 0
    /// liblz4 block format; the header keeps the original length.
    case lz4 = 1

    public var description: String {
        switch self {
        case .raw: "raw"
        case .lz4: "lz4"
        }
    }
}
