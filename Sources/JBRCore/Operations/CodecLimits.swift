/// The largest values the operation codec accepts. Decoding checks every length against these
/// before it allocates, so a hostile length prefix cannot make a brick allocate gigabytes.
public enum CodecLimits {
    /// NAME_MAX on Linux file systems.
    public static let maxNameBytes = 255
    /// PATH_MAX less the terminating NUL.
    public static let maxSymlinkTargetBytes = 4095
    /// XATTR_NAME_MAX.
    public static let maxXattrNameBytes = 255
    /// XATTR_SIZE_MAX.
    public static let maxXattrValueBytes = 65536
    /// The largest write or read payload: 16 MiB, so one record never has to be split.
    public static let maxDataBytes = 16 << 20
    /// Entries in one readdir page.
    public static let maxDirectoryEntries = 4096
    /// Names in one listxattr reply.
    public static let maxXattrNames = 65536
}
