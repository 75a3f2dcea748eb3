import Foundation
import JBRCore
import Journal
import NIOCore
import Testing
@testable import JBRServer

@Suite struct LogdumpTests {
    static let client = ClientID(bytes: Array(repeating: 0x11, count: 16))
    static let file = GFID(high: 0xAB, low: 0xCD)

    func entry(_ sequence: UInt64, _ operation: FileOperation) -> [UInt8] {
        var buffer = ByteBuffer()
        OperationEntry(request: RequestID(client: Self.client, sequence: sequence), sequencedAt: Timestamp(seconds: 1_700_000_000), operation: operation).encode(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// A journal of a term start, a mkdir, five writes and a termStart of term 2.
    func makeJournal() async throws -> (String, () -> Void) {
        let directory = NSTemporaryDirectory() + "jbr-logdump-\(UInt64.random(in: 0...UInt64.max))"
        var configuration = JournalConfiguration(directory: directory + "/.jbr/journal", volumeID: VolumeID(bytes: Array(repeating: 7, count: 16)))
        configuration.segmentBytes = 1 << 20
        configuration.preallocation = .none
        let journal = try Journal.open(configuration)
        var buffer = ByteBuffer()
        TermStartEntry(leader: ReplicaID(0), sequencedAt: Timestamp(seconds: 1)).encode(to: &buffer)
        var records = [JournalRecord(position: LogPosition(term: Term(1), index: JournalIndex(1)), type: .termStart, body: Array(buffer.readableBytesView))]
        records.append(JournalRecord(position: LogPosition(term: Term(1), index: JournalIndex(2)), type: .operation,
                                     body: entry(1, .mkdir(EntryLocation(parent: .root, name: try FileName("dir")), gfid: Self.file, permissions: 0o755, owner: Owner(uid: 0, gid: 0)))))
        for index in 3...7 {
            records.append(JournalRecord(position: LogPosition(term: Term(1), index: JournalIndex(UInt64(index))), type: .operation,
                                         body: entry(UInt64(index), .write(gfid: Self.file, offset: UInt64(index) * 4096, data: ByteBuffer(repeating: 0x61, count: 3000)))))
        }
        records.append(JournalRecord(position: LogPosition(term: Term(2), index: JournalIndex(8)), type: .termStart, body: Array(buffer.readableBytesView)))
        try await journal.append(records)
        await journal.close()
        return (directory, { try? FileManager.default.removeItem(atPath: directory) })
    }

    @Test func textDumpShowsEveryRecordWithItsArguments() async throws {
        let (brick, cleanup) = try await makeJournal()
        defer { cleanup() }
        var lines: [String] = []
        let summary = try Logdump().run(directory: Logdump.journalDirectory(forBrick: brick)) { lines.append(contentsOf: $0.split(separator: "\n").map(String.init)) }
        #expect(summary.records == 8 && summary.damaged == 0 && summary.terms == [Term(1), Term(2)])
        #expect(lines.contains("=== (1,2) operation mkdir"))
        #expect(lines.contains("name = dir"))
        #expect(lines.contains("mode = 0755"))
        #expect(lines.contains("=== (1,5) operation write"))
        #expect(lines.contains("offset = 20480"))
        #expect(lines.contains("data = <3000 bytes>"))
        #expect(lines.contains { $0.hasPrefix("stored = lz4 ") }, "3000 equal bytes compress")
        #expect(lines.contains("request = \(Self.client)#5"))
        #expect(lines.contains("=== (2,8) term-start"))
    }

    @Test func rangeAndJSONSelectAndDescribe() async throws {
        let (brick, cleanup) = try await makeJournal()
        defer { cleanup() }
        var lines: [String] = []
        let dump = Logdump(from: JournalIndex(3), through: JournalIndex(4), json: true)
        let summary = try dump.run(directory: Logdump.journalDirectory(forBrick: brick)) { lines.append($0) }
        #expect(summary.records == 2)
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.map { $0["index"] as? Int } == [3, 4])
        #expect(objects[0]["operation"] as? String == "write")
        #expect((objects[0]["arguments"] as? [String: String])?["offset"] == "12288")
    }

    @Test func damageIsReportedAndTheDumpGoesOn() async throws {
        let (brick, cleanup) = try await makeJournal()
        defer { cleanup() }
        let directory = Logdump.journalDirectory(forBrick: brick)
        let segment = directory + "/" + SegmentName.name(firstIndex: JournalIndex(1))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        // Flip a bit in the 4th record's body (after the header of the 4th record).
        var offsets: [Int] = []
        try JournalInspector.inspect(directory: directory) { item in
            if case let .record(_, offset, _, _) = item { offsets.append(offset) }
        }
        bytes[offsets[3] + RecordHeader.encodedSize + 5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: segment))
        var lines: [String] = []
        let summary = try Logdump().run(directory: directory) { lines.append($0) }
        #expect(summary.damaged == 1)
        #expect(summary.records == 7, "the dump continued after the damaged record")
        #expect(lines.contains { $0.hasPrefix("!!! damage in \(SegmentName.name(firstIndex: JournalIndex(1))) at byte \(offsets[3]): body checksum mismatch") })
        #expect(lines.contains { $0.hasPrefix("=== (2,8) term-start") })
    }
}
