/// Where `readdir` resumes: a directory lists its entries in the order of a fixed 64-bit hash of
/// their names, and the cookie after an entry is its name's hash. Public so a client can resume
/// after any entry of a page, not only after the last (the FUSE mount fills the kernel's buffer
/// with part of a page).
public enum DirectoryCookie {
    /// FNV-1a, then the SplitMix64 finalizer to spread it; never 0, which means "from the start".
    public static func of(_ name: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
        return hash == 0 ? 1 : hash
    }
}
