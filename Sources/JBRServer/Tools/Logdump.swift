import Foundation
import JBRCore
import Journal
import NIOCore

/// `jbr-server logdump`: every record of a brick's journal, with its position, type, operation
/// and arguments, sizes and codec, like GlusterFS's `gf_logdump`; damage is reported and the
/// dump goes on after it.
public struct Logdump {
    public var from: JournalIndex?
    public var through: JournalIndex?
    public var json: Bool

    public init(from: JournalIndex? = nil, through: JournalIndex? = nil, json: Bool = false) {
        self.from = from
        self.through = through
        self.json = json
    }

    public struct Summary: Hashable, Sendable {
        public var records = 0
        public var damaged = 0
        public var terms: [Term] = []
    }

    /// The journal directory of a brick: `BRICK/.jbr/journal`, or `path` itself if it already
    /// holds segments.
    public static func journalDirectory(forBrick path: String) -> String {
        let nested = (path as NSString).appendingPathComponent(".jbr/journal")
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory) && isDirectory.boolValue ? nested : path
    }

    /// Dumps `directory`, handing each output line to `emit`.
    public func run(directory: String, emit: (String) -> Void) throws -> Summary {
        var summary = Summary()
        try JournalInspector.inspect(directory: directory) { item in
            switch item {
            case let .record(segment, offset, header, record):
                guard inRange(header.position.index) else { return }
                summary.records += 1
                if summary.terms.last != header.position.term { summary.terms.append(header.position.term) }
                emit(json ? jsonLine(recordFields(segment, offset, header, record)) : textBlock(segment, offset, header, record))
            case let .damage(segment, offset, reason, resumedAt):
                summary.damaged += 1
                let resumed = resumedAt.map { "resumed at byte \($0)" } ?? "nothing readable after it in this segment"
                emit(json
                    ? jsonLine(["kind": "damage", "segment": segment, "offset": offset, "reason": reason, "resumed_at": resumedAt as Any])
                    : "!!! damage in \(segment) at byte \(offset): \(reason); \(resumed)")
            case .otherFile:
                return
            }
        }
        return summary
    }

    private func inRange(_ index: JournalIndex) -> Bool {
        (from.map { index >= $0 } ?? true) && (through.map { index <= $0 } ?? true)
    }

    private func textBlock(_ segment: String, _ offset: Int, _ header: RecordHeader, _ record: JournalRecord) -> String {
        var lines = ["=== \(header.position) \(header.type)\(operationName(record).map { " " + $0 } ?? "")"]
        lines.append("segment = \(segment) @ \(offset), batch from \(header.batchFirstIndex.rawValue)")
        lines.append("stored = \(header.codec) \(header.storedLength) of \(header.originalLength) bytes")
        for (name, value) in bodyFields(record) { lines.append("\(name) = \(value)") }
        return lines.joined(separator: "\n")
    }

    private func recordFields(_ segment: String, _ offset: Int, _ header: RecordHeader, _ record: JournalRecord) -> [String: Any] {
        var fields: [String: Any] = [
            "kind": "record", "term": header.position.term.rawValue, "index": header.position.index.rawValue,
            "type": header.type.description, "codec": header.codec.description, "stored_bytes": header.storedLength,
            "body_bytes": header.originalLength, "segment": segment, "offset": offset, "volume": header.volumeID.description,
        ]
        if let name = operationName(record) { fields["operation"] = name }
        fields["arguments"] = Dictionary(bodyFields(record).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        return fields
    }

    private func operationName(_ record: JournalRecord) -> String? {
        guard record.type == .operation, let entry = try? decode(OperationEntry.self, record.body) else { return nil }
        return entry.operation.name
    }

    /// The body's fields, decoded where the type is known; undecodable bodies say why.
    private func bodyFields(_ record: JournalRecord) -> [(name: String, value: String)] {
        do {
            switch record.type {
            case .operation:
                let entry = try decode(OperationEntry.self, record.body)
                return [("request", entry.request.description), ("sequenced", entry.sequencedAt.description)] + entry.operation.fields
            case .termStart:
                let entry = try decode(TermStartEntry.self, record.body)
                return [("leader", entry.leader.description), ("sequenced", entry.sequencedAt.description)]
            case .configuration, .geoCursor:
                return [("body", "<\(record.body.count) bytes>")]
            }
        } catch {
            return [("body", "<\(record.body.count) bytes, undecodable: \(error)>")]
        }
    }

    private func decode<Value: BinaryDecodable>(_ type: Value.Type, _ body: [UInt8]) throws -> Value {
        var buffer = ByteBuffer(bytes: body)
        let value = try Value(from: &buffer)
        try buffer.expectFullyRead()
        return value
    }

    private func jsonLine(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
