import CISAL

/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41), as iSCSI, ext4 and TigerBeetle use it:
/// stronger than CRC-32 for the short bursts that torn writes produce.
///
/// Computed by Intel ISA-L (`crc32_iscsi`), which uses the CPU's crc32 instruction where it
/// exists: every journal body and every frame body is checksummed, and in software this was a
/// sixth of the journal's CPU time. (A pure computation: no I/O, so it stays in JBRCore.)
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `seed` (the checksum of what came before).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing seed: UInt32 = 0) -> UInt32 {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return seed }
        var crc = ~seed
        var remaining = bytes.count
        // crc32_iscsi takes an Int32 length.
        while remaining > 0 {
            let count = min(remaining, 1 << 30)
            crc = crc32_iscsi(UnsafeMutablePointer(mutating: base), Int32(count), crc)
            base += count
            remaining -= count
        }
        return ~crc
    }

    public static func checksum(_ bytes: some Sequence<UInt8>, continuing seed: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: seed) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: seed) }
    }
}
