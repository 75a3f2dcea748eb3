/// Every operation that only reads. The leader serves them after confirming it still leads,
/// so reads are linearizable.
public enum ReadOperation: Hashable, Sendable {
    /// Resolves a name to its object's attributes (and so its GFID).
    case lookup(EntryLocation)
    case stat(gfid: GFID)
    /// Reads up to `length` bytes (at most `CodecLimits.maxDataBytes`).
    case read(gfid: GFID, offset: UInt64, length: UInt32)
    /// Lists a directory with attributes, from `cookie` (0 = the start), at most `maxEntries`.
    case readdir(gfid: GFID, cookie: UInt64, maxEntries: UInt32)
    case readlink(gfid: GFID)
    case getxattr(gfid: GFID, name: XattrName)
    case listxattr(gfid: GFID)
    case statfs

    public var name: String {
        switch self {
        case .lookup: "lookup"
        case .stat: "stat"
        case .read: "read"
        case .readdir: "readdir"
        case .readlink: "readlink"
        case .getxattr: "getxattr"
        case .listxattr: "listxattr"
        case .statfs: "statfs"
        }
    }

    /// Whether it looks at metadata alone: no file data, no directory listing (either of which
    /// may be large).
    public var readsMetadataOnly: Bool {
        switch self {
        case .lookup, .stat, .readlink, .getxattr, .listxattr, .statfs: true
        case .read, .readdir: false
        }
    }
}
