import JBRCore
import NIOCore

/// Seeded random instances of every codec type, for round-trip property tests. Sizes stay small
/// but reach each field's edges (empty, maximum, all byte values).
struct RandomValues {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    mutating func bool() -> Bool { Bool.random(using: &generator) }
    mutating func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &generator) }
    mutating func u32() -> UInt32 { UInt32.random(in: .min ... .max, using: &generator) }
    mutating func u64() -> UInt64 {
        // Mix in the edges, where encodings most often go wrong.
        switch int(0...9) {
        case 0: return 0
        case 1: return .max
        default: return UInt64.random(in: .min ... .max, using: &generator)
        }
    }
    mutating func optional<T>(_ make: (inout RandomValues) -> T) -> T? { bool() ? make(&self) : nil }
    mutating func element<T>(_ choices: [T]) -> T { choices[int(0...(choices.count - 1))] }
    mutating func bytes(count: Int, excluding forbidden: Set<UInt8> = []) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            var word = generator.next()
            for _ in 0..<8 where result.count < count {
                let byte = UInt8(truncatingIfNeeded: word)
                word >>= 8
                if !forbidden.contains(byte) { result.append(byte) }
            }
        }
        return result
    }

    mutating func gfid() -> GFID { bool() ? .root : GFID.random(using: &generator) }
    mutating func term() -> Term { Term(u64()) }
    mutating func replicaID() -> ReplicaID { ReplicaID(u32()) }
    mutating func requestID() -> RequestID { RequestID(client: ClientID.random(using: &generator), sequence: u64()) }
    mutating func permissions() -> UInt16 { UInt16(int(0...0o7777)) }
    mutating func owner() -> Owner { Owner(uid: u32(), gid: u32()) }
    mutating func timestamp() -> Timestamp {
        Timestamp(seconds: Int64.random(in: .min ... .max, using: &generator), nanoseconds: UInt32(int(0...999_999_999)))
    }

    mutating func name() -> FileName {
        while true {
            let length = bool() ? int(1...12) : int(1...CodecLimits.maxNameBytes)
            if let name = try? FileName(validating: bytes(count: length, excluding: [0, 0x2F])) { return name }
        }
    }
    mutating func location() -> EntryLocation { EntryLocation(parent: gfid(), name: name()) }
    mutating func xattrName() -> XattrName {
        try! XattrName(validating: bytes(count: int(1...CodecLimits.maxXattrNameBytes), excluding: [0]))
    }
    mutating func xattrValue() -> XattrValue {
        try! XattrValue(validating: bytes(count: element([0, 1, int(0...300), CodecLimits.maxXattrValueBytes])))
    }
    mutating func symlinkTarget() -> SymlinkTarget {
        try! SymlinkTarget(validating: bytes(count: element([1, int(1...64), CodecLimits.maxSymlinkTargetBytes]), excluding: [0]))
    }
    mutating func data() -> ByteBuffer { ByteBuffer(bytes: bytes(count: element([0, 1, int(0...4096)]))) }

    mutating func timeUpdate() -> TimeUpdate { bool() ? .sequencingTime : .exact(timestamp()) }
    mutating func setAttributes() -> SetAttributes {
        SetAttributes(
            permissions: optional { $0.permissions() }, uid: optional { $0.u32() }, gid: optional { $0.u32() },
            accessTime: optional { $0.timeUpdate() }, modificationTime: optional { $0.timeUpdate() })
    }

    mutating func fileOperation() -> FileOperation {
        switch int(1...17) {
        case 1: .create(location(), gfid: gfid(), permissions: permissions(), owner: owner(), exclusive: bool())
        case 2: .mkdir(location(), gfid: gfid(), permissions: permissions(), owner: owner())
        case 3: .mknod(location(), gfid: gfid(), type: element(SpecialFileType.allCases), permissions: permissions(), owner: owner())
        case 4: .symlink(location(), gfid: gfid(), target: symlinkTarget(), owner: owner())
        case 5: .link(gfid: gfid(), to: location())
        case 6: .unlink(location(), gfid: gfid())
        case 7: .rmdir(location(), gfid: gfid())
        case 8: .rename(gfid: gfid(), from: location(), to: location(), noReplace: bool())
        case 9: .write(gfid: gfid(), offset: u64(), data: data())
        case 10: .truncate(gfid: gfid(), size: u64())
        case 11: .fallocate(gfid: gfid(), offset: u64(), length: u64(), keepSize: bool())
        case 12: .discard(gfid: gfid(), offset: u64(), length: u64())
        case 13: .zerofill(gfid: gfid(), offset: u64(), length: u64())
        case 14: .setattr(gfid: gfid(), setAttributes())
        case 15: .setxattr(gfid: gfid(), name: xattrName(), value: xattrValue(), mode: element(XattrSetMode.allCases))
        case 16: .append(gfid: gfid(), data: data())
        default: .removexattr(gfid: gfid(), name: xattrName())
        }
    }

    mutating func readOperation() -> ReadOperation {
        switch int(1...8) {
        case 1: .lookup(location())
        case 2: .stat(gfid: gfid())
        case 3: .read(gfid: gfid(), offset: u64(), length: UInt32(int(0...CodecLimits.maxDataBytes)))
        case 4: .readdir(gfid: gfid(), cookie: u64(), maxEntries: UInt32(int(0...CodecLimits.maxDirectoryEntries)))
        case 5: .readlink(gfid: gfid())
        case 6: .getxattr(gfid: gfid(), name: xattrName())
        case 7: .listxattr(gfid: gfid())
        default: .statfs
        }
    }

    mutating func attributes() -> FileAttributes {
        FileAttributes(
            gfid: gfid(), type: element(FileType.allCases), permissions: permissions(), linkCount: u32(), owner: owner(),
            size: u64(), blocks: u64(), accessTime: timestamp(), modificationTime: timestamp(), changeTime: timestamp())
    }

    mutating func error() -> JBRError {
        let code = element([JBRError.Code.ENOENT, .EEXIST, .ENOTEMPTY, .notLeader, .noQuorum, .staleTerm, .overloaded, JBRError.Code(rawValue: u16())])
        let detail = element(["", "name 'a'", "é ✓ ünïcode", String(repeating: "x", count: JBRError.maxDetailBytes)])
        return JBRError(code, detail, leaderHint: optional { $0.replicaID() }, term: optional { $0.term() })
    }

    mutating func reply() -> OperationReply {
        switch int(1...11) {
        case 1: .done
        case 2: .attributes(attributes())
        case 3: .written(byteCount: u32(), attributes: attributes())
        case 4: .data(data(), endOfFile: bool())
        case 5:
            .directory(DirectoryPage(
                entries: (0..<int(0...20)).map { _ in DirectoryEntry(name: name(), attributes: attributes()) },
                nextCookie: u64(), isLastPage: bool()))
        case 6: .linkTarget(symlinkTarget())
        case 7: .xattrValue(xattrValue())
        case 8: .xattrNames((0..<int(0...20)).map { _ in xattrName() })
        default:
            .fileSystem(FileSystemStats(
                blockSize: u32(), totalBlocks: u64(), freeBlocks: u64(), availableBlocks: u64(), totalFiles: u64(),
                freeFiles: u64(), maxNameLength: u32()))
        }
    }

    mutating func result() -> OperationResult { bool() ? .success(reply()) : .failure(error()) }

    mutating func position() -> LogPosition { LogPosition(term: term(), index: JournalIndex(u64())) }

    mutating func logEntry() -> LogEntry {
        bool()
            ? LogEntry(position: position(), payload: .operation(OperationEntry(request: requestID(), sequencedAt: timestamp(), operation: fileOperation())))
            : LogEntry(position: position(), payload: .termStart(TermStartEntry(leader: replicaID(), sequencedAt: timestamp())))
    }

    /// Structure only (the codec does not judge meaning): any terms, ranges and marks.
    mutating func replicaReport() -> ReplicaReport {
        ReplicaReport(
            replica: replicaID(),
            termRanges: (0..<int(0...5)).map { _ in ReplicaReport.TermRange(term: term(), first: JournalIndex(u64()), last: JournalIndex(u64())) },
            last: position(), commitIndex: JournalIndex(u64()), appliedThrough: JournalIndex(u64()), firstRetained: JournalIndex(u64()),
            rangeChecksums: (0..<int(0...3)).map { _ in RangeChecksum(first: JournalIndex(u64()), last: JournalIndex(u64()), checksum: u32()) })
    }

    mutating func peerEnvelope() -> PeerEnvelope {
        let message: PeerMessage
        switch int(1...11) {
        case 1: message = .preVote(last: position())
        case 2: message = .preVoteResponse(granted: bool())
        case 3: message = .vote(last: position())
        case 4: message = .voteResponse(granted: bool())
        case 5: message = .append(previous: position(), entries: (0..<int(0...4)).map { _ in logEntry() }, commit: JournalIndex(u64()), readContext: u64())
        case 6: message = .appendResponse(success: bool(), match: JournalIndex(u64()), conflict: optional { $0.position() }, readContext: u64())
        case 7: message = .staleTerm
        case 8: message = .reportRequest
        case 9: message = .resyncRequired(firstRetained: JournalIndex(u64()), readContext: u64())
        case 10: message = .resyncUnderway(readContext: u64())
        default: message = .report(replicaReport())
        }
        return PeerEnvelope(volumeID: VolumeID.random(using: &generator), from: replicaID(), to: replicaID(), term: term(), message: message)
    }
}
