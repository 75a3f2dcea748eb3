import JBRCore

/// The persisted "applied through" mark: the journal position up to which everything has been
/// applied to the main store and made durable (architecture rule 3). After a crash the brick
/// replays the journal from just after it.
///
/// 28 bytes, little-endian: the magic `JBRAPPLY`, the term, the index, and a CRC-32C of the 24
/// bytes before it. Replaced atomically (`AtomicFile`), so a reader finds the old mark or the
/// new one, never a mix.
enum AppliedMark {
    static let fileName = Array("applied-through".utf8)
    static let encodedSize = 28
    private static let magic = Array("JBRAPPLY".utf8)

    static func encode(_ position: LogPosition) -> [UInt8] {
        var bytes = magic
        appendLittleEndian(position.term.rawValue, to: &bytes)
        appendLittleEndian(position.index.rawValue, to: &bytes)
        let checksum = CRC32C.checksum(bytes)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        precondition(bytes.count == encodedSize)
        return bytes
    }

    /// The position in `bytes`, or why they are not a mark.
    static func decode(_ bytes: [UInt8]) -> Result<LogPosition, MarkProblem> {
        guard bytes.count == encodedSize else { return .failure(.wrongSize(bytes.count)) }
        guard Array(bytes[0..<8]) == magic else { return .failure(.badMagic) }
        let stored = bytes[24..<28].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32C.checksum(bytes[0..<24]) == stored else { return .failure(.badChecksum) }
        let term = littleEndian(bytes[8..<16])
        let index = littleEndian(bytes[16..<24])
        return .success(LogPosition(term: Term(term), index: JournalIndex(index)))
    }

    enum MarkProblem: Error, Equatable, CustomStringConvertible {
        case wrongSize(Int), badMagic, badChecksum

        var description: String {
            switch self {
            case let .wrongSize(size): "applied-through mark has \(size) bytes, not \(AppliedMark.encodedSize)"
            case .badMagic: "applied-through mark has the wrong magic"
            case .badChecksum: "applied-through mark fails its checksum"
            }
        }
    }

    private static func appendLittleEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
