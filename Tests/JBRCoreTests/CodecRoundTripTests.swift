import JBRCore
import NIOCore
import Testing

/// Property tests: every value survives encode → decode unchanged, uses its whole encoding,
/// and no proper prefix of an encoding decodes.
@Suite struct CodecRoundTripTests {
    static let seeds: [UInt64] = [1, 2, 3, 0xDEAD_BEEF, 20_261_121]
    static let valuesPerSeed = 400

    @Test(arguments: seeds) func fileOperationsRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed {
            try expectRoundTrip(random.fileOperation(), random: &random)
        }
    }

    @Test(arguments: seeds) func readOperationsRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed {
            try expectRoundTrip(random.readOperation(), random: &random)
        }
    }

    @Test(arguments: seeds) func resultsRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed {
            try expectRoundTrip(random.result(), random: &random)
        }
    }

    @Test(arguments: seeds) func clientMessagesRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed / 4 {
            try expectRoundTrip(ClientRequest(id: random.requestID(), operation: random.fileOperation()), random: &random)
            try expectRoundTrip(ReadRequest(operation: random.readOperation()), random: &random)
            try expectRoundTrip(ClientReply(result: random.result()), random: &random)
            try expectRoundTrip(OperationEntry(request: random.requestID(), sequencedAt: random.timestamp(), operation: random.fileOperation()), random: &random)
            try expectRoundTrip(TermStartEntry(leader: random.replicaID(), sequencedAt: random.timestamp()), random: &random)
        }
    }

    @Test(arguments: seeds) func peerMessagesRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed / 2 {
            try expectRoundTrip(random.peerEnvelope(), random: &random)
        }
    }

    @Test(arguments: seeds) func identitiesRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed {
            try expectRoundTrip(LogPosition(term: random.term(), index: JournalIndex(random.u64())), random: &random)
            try expectRoundTrip(random.requestID(), random: &random)
            try expectRoundTrip(VolumeID.random(using: &random.generator), random: &random)
            try expectRoundTrip(random.replicaID(), random: &random)
        }
    }

    /// A log entry's size is known without encoding it again: built, it is its encoding's length;
    /// decoded, the bytes it was read from.
    @Test(arguments: seeds) func logEntrySizesAreTheirEncodingsLength(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed / 4 {
            let entry = random.logEntry()
            var encoded = ByteBuffer()
            entry.encode(to: &encoded)
            #expect(entry.encodedSize == encoded.readableBytes)
            let decoded = try LogEntry(from: &encoded)
            #expect(decoded.encodedSize == entry.encodedSize)
            #expect(decoded == entry)
        }
    }

    @Test(arguments: seeds) func brickStatusesRoundTrip(seed: UInt64) throws {
        var random = RandomValues(seed: seed)
        for _ in 0..<Self.valuesPerSeed / 4 {
            let followers = (0..<random.int(0...3)).map { _ in
                FollowerRepair(replicaID: random.replicaID(), match: JournalIndex(random.u64()),
                               state: FollowerRepair.State.allCases[random.int(0...(FollowerRepair.State.allCases.count - 1))])
            }
            let status = BrickStatus(
                replicaID: random.replicaID(), role: ["leader", "follower", "candidate"][random.int(0...2)], term: random.term(),
                leader: random.int(0...1) == 0 ? nil : random.replicaID(), last: LogPosition(term: random.term(), index: JournalIndex(random.u64())),
                persisted: LogPosition(term: random.term(), index: JournalIndex(random.u64())), commit: JournalIndex(random.u64()),
                applied: JournalIndex(random.u64()), journalBytes: random.u64(), followers: followers,
                resync: random.int(0...1) == 0 ? nil : ResyncProgress(
                    phase: ResyncProgress.Phase.allCases[random.int(0...(ResyncProgress.Phase.allCases.count - 1))],
                    source: random.int(0...1) == 0 ? nil : random.replicaID(),
                    position: LogPosition(term: random.term(), index: JournalIndex(random.u64())), manifestBytesDone: random.u64(),
                    manifestBytes: random.u64(), contentBytesDone: random.u64(), contentBytes: random.u64(),
                    attempts: UInt32(truncatingIfNeeded: random.u64()), elapsedMilliseconds: random.u64()))
            try expectRoundTrip(status, random: &random)
        }
    }

    @Test func aFollowerRepairStateThisBuildDoesNotKnowIsRefused() throws {
        let status = BrickStatus(
            replicaID: ReplicaID(0), role: "leader", term: Term(3), leader: ReplicaID(0), last: LogPosition(term: Term(3), index: JournalIndex(9)),
            persisted: LogPosition(term: Term(3), index: JournalIndex(9)), commit: JournalIndex(9), applied: JournalIndex(9), journalBytes: 0,
            followers: [FollowerRepair(replicaID: ReplicaID(1), match: JournalIndex(9), state: .inSync)])
        var encoded = BinaryCodec.encode(status)
        // The state is the last byte but one (the resync's absence is the last).
        encoded.setInteger(UInt8(200), at: encoded.writerIndex - 2)
        #expect(throws: DecodingError.self) { try BinaryCodec.decode(BrickStatus.self, from: encoded) }
    }

    /// Checks the round trip, then that truncations (all for short encodings, a sample for long
    /// ones) are refused rather than misread.
    private func expectRoundTrip<Value: BinaryCodable & Equatable>(_ value: Value, random: inout RandomValues) throws {
        let encoded = BinaryCodec.encode(value)
        let decoded = try BinaryCodec.decode(Value.self, from: encoded)
        #expect(decoded == value)
        #expect(BinaryCodec.encode(decoded) == encoded, "encoding is not canonical for \(value)")

        let length = encoded.readableBytes
        let cuts = length <= 64 ? Array(0..<length) : (0..<16).map { _ in random.int(0...(length - 1)) }
        for cut in cuts {
            let prefix = encoded.getSlice(at: encoded.readerIndex, length: cut)!
            #expect(throws: DecodingError.self, "a \(cut)-byte prefix of \(Value.self) decoded") {
                try BinaryCodec.decode(Value.self, from: prefix)
            }
        }
        var extended = encoded
        extended.writeInteger(UInt8(0))
        #expect(throws: DecodingError.self) { try BinaryCodec.decode(Value.self, from: extended) }
    }
}
