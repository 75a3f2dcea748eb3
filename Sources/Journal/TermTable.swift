import JBRCore

/// Which terms the journal holds and where each starts and ends: the question reconciliation
/// asks first ("what terms do I have?") and the one a follower's consistency check needs
/// ("what term is record i?").
///
/// Boundaries below the first record still in the journal are kept after trimming, with the
/// position of the last trimmed record, so the term of any record a peer may name stays known.
public struct TermTable: Hashable, Sendable {
    /// (term, first index of that term), terms strictly increasing, indexes strictly increasing.
    public private(set) var starts: [TermStart] = []
    /// The last record removed by trimming, or `.zero` if none ever was.
    public internal(set) var trimmedThrough: LogPosition = .zero

    public struct TermStart: Hashable, Sendable {
        public var term: Term
        public var firstIndex: JournalIndex
    }

    /// A term's range in the journal: first and last index (last = nil while it is the newest).
    public struct TermRange: Hashable, Sendable {
        public var term: Term
        public var first: JournalIndex
        public var last: JournalIndex
    }

    public init() {}

    /// Notes that `position` was appended. Precondition: positions arrive in order.
    mutating func noteAppended(_ position: LogPosition) {
        if let newest = starts.last {
            precondition(position.term >= newest.term, "term went backwards: \(position) after term \(newest.term)")
            if position.term == newest.term { return }
            precondition(position.index > newest.firstIndex, "term \(position.term) starts at \(position.index), not after \(newest.firstIndex)")
        }
        starts.append(TermStart(term: position.term, firstIndex: position.index))
    }

    /// Forgets the terms that start after `index` (truncation).
    mutating func truncate(after index: JournalIndex) {
        starts.removeAll { $0.firstIndex > index }
    }

    /// The term of record `index`, or nil if `index` is beyond every term known.
    public func term(of index: JournalIndex) -> Term? {
        if index == trimmedThrough.index { return trimmedThrough.term == .zero ? nil : trimmedThrough.term }
        var found: Term?
        for start in starts where start.firstIndex <= index { found = start.term }
        return found
    }

    /// Each term with its range, given the journal's last index (ranges end there at the latest).
    public func ranges(lastIndex: JournalIndex) -> [TermRange] {
        starts.enumerated().compactMap { offset, start in
            let last = offset + 1 < starts.count ? Swift.min(starts[offset + 1].firstIndex.previous, lastIndex) : lastIndex
            return last >= start.firstIndex ? TermRange(term: start.term, first: start.firstIndex, last: last) : nil
        }
    }

    // MARK: The file

    static let fileName = "terms"
    static let magic: UInt32 = 0x544A_424A  // "JBJT"

    /// magic u32 | version u8 | count u32 | trimmed term u64 | trimmed index u64 |
    /// count × (term u64, first index u64) | CRC32C u32 of all before it.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        func put<Integer: FixedWidthInteger>(_ value: Integer) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        put(Self.magic)
        bytes.append(1)
        put(UInt32(starts.count))
        put(trimmedThrough.term.rawValue)
        put(trimmedThrough.index.rawValue)
        for start in starts {
            put(start.term.rawValue)
            put(start.firstIndex.rawValue)
        }
        put(CRC32C.checksum(bytes))
        return bytes
    }

    /// Parses the file; nil if it is damaged (it is then rebuilt from the records).
    static func decode(_ bytes: [UInt8]) -> TermTable? {
        guard bytes.count >= 29, (bytes.count - 29) % 16 == 0 else { return nil }
        func get(_ offset: Int) -> UInt64 { bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        func get32(_ offset: Int) -> UInt32 { bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        guard get32(0) == magic, bytes[4] == 1, get32(bytes.count - 4) == CRC32C.checksum(bytes.dropLast(4)) else { return nil }
        let count = Int(get32(5))
        guard bytes.count == 29 + count * 16 else { return nil }
        var table = TermTable()
        table.trimmedThrough = LogPosition(term: Term(get(9)), index: JournalIndex(get(17)))
        for entry in 0..<count {
            let start = TermStart(term: Term(get(25 + entry * 16)), firstIndex: JournalIndex(get(33 + entry * 16)))
            if let newest = table.starts.last, start.term <= newest.term || start.firstIndex <= newest.firstIndex { return nil }
            table.starts.append(start)
        }
        return table
    }

    /// Replaces the file atomically: write a temporary, sync it, rename over, sync the directory.
    func persist(in directory: String) throws {
        let temporary = "\(directory)/\(Self.fileName).tmp"
        let file = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        try encoded().withUnsafeBytes { try file.write($0, at: 0) }
        try file.syncData()
        try Directory.rename(temporary, to: "\(directory)/\(Self.fileName)")
        try Directory.sync(directory)
    }

    static func load(from directory: String) throws -> TermTable? {
        let path = "\(directory)/\(fileName)"
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path, flags: O_RDONLY)
        } catch JournalError.system(_, _, let code) where code == ENOENT {
            return nil
        }
        return decode(try file.read(count: try file.size(), at: 0))
    }
}

#if canImport(Glibc)
import Glibc
#endif
