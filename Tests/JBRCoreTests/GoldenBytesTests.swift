import JBRCore
import NIOCore
import Testing

/// Frozen encodings. If one of these fails, the wire and journal format changed: that needs a
/// new format version (and reading the old one), not a new golden string.
@Suite struct GoldenBytesTests {
    static let file = GFID(parsing: "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f8091")!

    static func cases() throws -> [(String, ByteBuffer, String)] {
        let owner = Owner(uid: 1000, gid: 100)
        let stamp = Timestamp(seconds: 1_700_000_000, nanoseconds: 5)
        let attributes = FileAttributes(
            gfid: file, type: .regular, permissions: 0o644, linkCount: 1, owner: owner, size: 3, blocks: 8,
            accessTime: stamp, modificationTime: stamp, changeTime: stamp)
        return [
            ("mkdir", BinaryCodec.encode(FileOperation.mkdir(EntryLocation(parent: .root, name: try FileName("abc")), gfid: file, permissions: 0o755, owner: owner)), GOLDEN_MKDIR),
            ("write", BinaryCodec.encode(FileOperation.write(gfid: file, offset: 4096, data: ByteBuffer(bytes: Array("hi!".utf8)))), GOLDEN_WRITE),
            ("rename", BinaryCodec.encode(FileOperation.rename(gfid: file, from: EntryLocation(parent: .root, name: try FileName("a")), to: EntryLocation(parent: .root, name: try FileName("b")), noReplace: true)), GOLDEN_RENAME),
            ("setattr", BinaryCodec.encode(FileOperation.setattr(gfid: file, SetAttributes(permissions: 0o600, modificationTime: .sequencingTime))), GOLDEN_SETATTR),
            ("request", BinaryCodec.encode(ClientRequest(id: RequestID(client: ClientID(bytes: Array(repeating: 0xAB, count: 16)), sequence: 7), operation: .truncate(gfid: file, size: 0))), GOLDEN_REQUEST),
            ("read", BinaryCodec.encode(ReadOperation.read(gfid: file, offset: 1, length: 65536)), GOLDEN_READ),
            ("stat reply", BinaryCodec.encode(OperationResult.success(.attributes(attributes))), GOLDEN_STAT_REPLY),
            ("not leader", BinaryCodec.encode(OperationResult.failure(JBRError(.notLeader, "ask r1", leaderHint: ReplicaID(1), term: Term(9)))), GOLDEN_NOT_LEADER),
            ("position", BinaryCodec.encode(LogPosition(term: Term(3), index: JournalIndex(258))), GOLDEN_POSITION),
        ]
    }

    @Test func encodingsMatchTheFrozenBytes() throws {
        for (label, encoded, golden) in try Self.cases() {
            #expect(hex(encoded) == golden, "\(label) encoding changed")
        }
    }

    private func hex(_ buffer: ByteBuffer) -> String {
        buffer.readableBytesView.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

let GOLDEN_MKDIR = "010200000000000000000000000000000001036162636b5f1a9e0c1d4e2f8a3b4c5d6e7f8091ed01e803000064000000"
let GOLDEN_WRITE = "01096b5f1a9e0c1d4e2f8a3b4c5d6e7f8091001000000000000003000000686921"
let GOLDEN_RENAME = "01086b5f1a9e0c1d4e2f8a3b4c5d6e7f809100000000000000000000000000000001016100000000000000000000000000000001016201"
let GOLDEN_SETATTR = "010e6b5f1a9e0c1d4e2f8a3b4c5d6e7f80910180010000000100"
let GOLDEN_REQUEST = "01abababababababababababababababab07000000000000000a6b5f1a9e0c1d4e2f8a3b4c5d6e7f80910000000000000000"
let GOLDEN_READ = "01036b5f1a9e0c1d4e2f8a3b4c5d6e7f8091010000000000000000000100"
let GOLDEN_STAT_REPLY = "0100026b5f1a9e0c1d4e2f8a3b4c5d6e7f809101a40101000000e8030000640000000300000000000000080000000000000000f15365000000000500000000f15365000000000500000000f153650000000005000000"
let GOLDEN_NOT_LEADER = "0101e80301010000000109000000000000000600000061736b207231"
let GOLDEN_POSITION = "0103000000000000000201000000000000"
