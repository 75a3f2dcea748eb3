import JBRCore
import NIOCore
import Testing

/// Decoding untrusted bytes never traps: random garbage and mutated valid encodings either
/// decode to a value that re-encodes to exactly those bytes, or throw `DecodingError`.
@Suite struct HostileDecodingTests {
    @Test func mutatedOperationsDecodeCanonicallyOrThrow() {
        var random = RandomValues(seed: 77)
        var rejected = 0
        for _ in 0..<20_000 {
            var bytes = Array(buffer: BinaryCodec.encode(random.fileOperation()))
            mutate(&bytes, random: &random)
            let buffer = ByteBuffer(bytes: bytes)
            if let value = try? BinaryCodec.decode(FileOperation.self, from: buffer) {
                #expect(BinaryCodec.encode(value) == buffer)
            } else {
                rejected += 1
            }
        }
        // Bit flips inside payload fields are legitimately accepted (and re-encode canonically);
        // truncations and insertions must not be, so a good share is refused.
        #expect(rejected > 5_000, "only \(rejected) of 20,000 mutations were refused")
    }

    @Test func randomBytesNeverTrap() {
        var random = RandomValues(seed: 78)
        for _ in 0..<20_000 {
            let bytes = random.bytes(count: random.int(0...96))
            let buffer = ByteBuffer(bytes: [BinaryCodec.formatVersion] + bytes)
            _ = try? BinaryCodec.decode(FileOperation.self, from: buffer)
            _ = try? BinaryCodec.decode(ReadOperation.self, from: buffer)
            _ = try? BinaryCodec.decode(OperationResult.self, from: buffer)
            _ = try? BinaryCodec.decode(ClientRequest.self, from: buffer)
        }
    }

    @Test func hugeLengthPrefixesAreRefusedBeforeAllocating() throws {
        // A write claiming 4 GiB of data in a 40-byte message.
        var buffer = ByteBuffer()
        buffer.writeInteger(BinaryCodec.formatVersion)
        buffer.writeInteger(UInt8(9))  // write
        buffer.write(GFID.root)
        buffer.writeLittleEndian(UInt64(0))
        buffer.writeLittleEndian(UInt32.max)
        let error = try #require(throws: DecodingError.self) { try BinaryCodec.decode(FileOperation.self, from: buffer) }
        #expect(error.reason == .overLimit(field: "write data", value: Int(UInt32.max), limit: CodecLimits.maxDataBytes))

        // A directory page claiming 4 billion entries.
        var page = ByteBuffer()
        page.writeInteger(BinaryCodec.formatVersion)
        page.writeInteger(UInt8(0))  // success
        page.writeInteger(UInt8(5))  // directory
        page.writeLittleEndian(UInt32.max)
        #expect(throws: DecodingError.self) { try BinaryCodec.decode(OperationResult.self, from: page) }
    }

    @Test(arguments: [
        ("slash", Array("a/b".utf8)), ("dot", Array(".".utf8)), ("dotdot", Array("..".utf8)),
        ("NUL", [0x61, 0x00, 0x62]), ("empty", []),
    ] as [(String, [UInt8])])
    func hostileNamesOnTheWireAreRefused(label: String, name: [UInt8]) throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(BinaryCodec.formatVersion)
        buffer.writeInteger(UInt8(6))  // unlink
        buffer.write(GFID.root)
        buffer.writeInteger(UInt8(name.count))
        buffer.writeBytes(name)
        buffer.write(GFID(high: 0, low: 2))
        let error = try #require(throws: DecodingError.self) { try BinaryCodec.decode(FileOperation.self, from: buffer) }
        guard case .invalidValue(field: "name", _) = error.reason else {
            Issue.record("\(label): expected an invalid name, got \(error)")
            return
        }
    }

    @Test func unknownTagsAndVersionsAreRefused() throws {
        var unknownOperation = ByteBuffer(bytes: [BinaryCodec.formatVersion, 200])
        #expect(throws: DecodingError(.unknownTag(type: "file operation", tag: 200), offset: 1)) {
            try BinaryCodec.decode(FileOperation.self, from: unknownOperation)
        }
        unknownOperation = ByteBuffer(bytes: [2, 1])
        #expect(throws: DecodingError(.unsupportedVersion(found: 2, supported: 1), offset: 0)) {
            try BinaryCodec.decode(FileOperation.self, from: unknownOperation)
        }
        // A boolean must be 0 or 1, so each value has exactly one encoding.
        var create = BinaryCodec.encode(FileOperation.create(
            EntryLocation(parent: .root, name: try FileName("f")), gfid: GFID(high: 0, low: 9), permissions: 0o644,
            owner: Owner(uid: 0, gid: 0), exclusive: true))
        create.setInteger(UInt8(2), at: create.writerIndex - 1)
        #expect(throws: DecodingError.self) { try BinaryCodec.decode(FileOperation.self, from: create) }
    }

    private func mutate(_ bytes: inout [UInt8], random: inout RandomValues) {
        switch random.int(0...4) {
        case 0:  // flip one bit
            let index = random.int(0...(bytes.count - 1))
            bytes[index] ^= 1 << UInt8(random.int(0...7))
        case 1:  // overwrite a byte
            bytes[random.int(0...(bytes.count - 1))] = UInt8(random.int(0...255))
        case 2:  // truncate
            bytes.removeLast(random.int(1...bytes.count))
        case 3:  // insert garbage
            bytes.insert(contentsOf: random.bytes(count: random.int(1...8)), at: random.int(0...bytes.count))
        default:  // overwrite a little-endian length-like field with a large value
            let index = random.int(0...(bytes.count - 1))
            for offset in 0..<4 where index + offset < bytes.count { bytes[index + offset] = 0xFF }
        }
    }
}
