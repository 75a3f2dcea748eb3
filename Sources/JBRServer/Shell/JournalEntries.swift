import JBRCore
import Journal
import NIOCore

/// Log entries as journal records and back: the record type says which payload the body holds,
/// and the body is the payload's encoding.
enum JournalEntries {
    static func prepare(_ entry: LogEntry, in journal: Journal) -> (body: PreparedBody, position: LogPosition) {
        var buffer = ByteBuffer()
        let type: RecordType
        switch entry.payload {
        case let .operation(operation):
            type = .operation
            operation.encode(to: &buffer)
        case let .termStart(start):
            type = .termStart
            start.encode(to: &buffer)
        }
        return (journal.prepare(type, body: buffer), entry.position)
    }

    /// The entry a record holds. Records of other types (configuration, geo cursors) are not log
    /// entries the replica core replays.
    static func entry(from record: JournalRecord) throws -> LogEntry? {
        var buffer = ByteBuffer(bytes: record.body)
        let payload: LogEntry.Payload
        switch record.type {
        case .operation: payload = .operation(try OperationEntry(from: &buffer))
        case .termStart: payload = .termStart(try TermStartEntry(from: &buffer))
        case .configuration, .geoCursor: return nil
        }
        try buffer.expectFullyRead()
        return LogEntry(position: record.position, payload: payload)
    }
}
