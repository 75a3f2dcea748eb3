import JBRCore

/// The replica's term and vote on disk: `.jbr/store/replica-state`, replaced atomically and
/// synced before any message that depends on it leaves (architecture rule 1).
///
/// 21 bytes, little-endian: term u64, voted u8 (0/1), voted-for u32, magic "JBRV" u32, CRC-32C u32
/// of what comes before.
enum HardStateFile {
    static let fileName = Array("replica-state".utf8)

    static func encode(_ state: HardState) -> [UInt8] {
        var bytes: [UInt8] = []
        func put<Integer: FixedWidthInteger>(_ value: Integer) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        put(state.term.rawValue)
        put(UInt8(state.votedFor == nil ? 0 : 1))
        put(state.votedFor?.rawValue ?? 0)
        put(UInt32(0x5642_524A))  // "JBRV"
        put(CRC32C.checksum(bytes))
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> HardState? {
        guard bytes.count == 21 else { return nil }
        func get(_ range: Range<Int>) -> UInt64 { bytes[range].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        guard get(13..<17) == 0x5642_524A, UInt32(get(17..<21)) == CRC32C.checksum(bytes[0..<17]), bytes[8] <= 1 else { return nil }
        return HardState(term: Term(get(0..<8)), votedFor: bytes[8] == 1 ? ReplicaID(UInt32(get(9..<13))) : nil)
    }
}

extension HardStateFile {
    /// The persisted state, or nil for a new brick. A damaged file is an error: guessing a term
    /// or a vote could give one term two leaders.
    static func load(in directory: StoreDescriptor) throws -> HardState? {
        let bytes: [UInt8]?
        do throws(StoreError) {
            bytes = try AtomicFile.read(fileName, in: directory)
        } catch {
            throw error.asFailure
        }
        guard let bytes else { return nil }
        guard let state = decode(bytes) else { throw JBRError(.EIO, "replica state file \(directory.subject(fileName)) is damaged") }
        return state
    }

    /// Makes `state` durable (written, synced, renamed into place, directory synced).
    static func persist(_ state: HardState, in directory: StoreDescriptor) throws {
        do throws(StoreError) {
            try AtomicFile.replace(fileName, in: directory, with: encode(state))
        } catch {
            throw error.asFailure
        }
    }
}

/// The directory of the replica state file, used only by the task that owns the core.
final class HardStateDirectory: @unchecked Sendable {
    let descriptor: StoreDescriptor
    init(_ descriptor: StoreDescriptor) { self.descriptor = descriptor }
}
