import NIOCore

/// Every operation that modifies a volume: what the leader sequences, the journal stores and
/// every replica applies.
///
/// Objects are addressed as GlusterFS does: an existing object by its GFID, a name by
/// (parent GFID, name). A new object carries the GFID the leader chose, so all replicas and geo
/// slaves agree on it. Operations that remove or move a name also carry the GFID the caller
/// resolved it to: a brick refuses with `ESTALE` when the name now holds another object, so a
/// retried or replayed unlink never removes a file created since.
public enum FileOperation: Hashable, Sendable {
    /// Create a regular file. Without `exclusive`, an existing regular file is not an error.
    case create(EntryLocation, gfid: GFID, permissions: UInt16, owner: Owner, exclusive: Bool)
    case mkdir(EntryLocation, gfid: GFID, permissions: UInt16, owner: Owner)
    case mknod(EntryLocation, gfid: GFID, type: SpecialFileType, permissions: UInt16, owner: Owner)
    case symlink(EntryLocation, gfid: GFID, target: SymlinkTarget, owner: Owner)
    /// A new name for the existing object `gfid` (a hard link; it keeps its GFID).
    case link(gfid: GFID, to: EntryLocation)
    case unlink(EntryLocation, gfid: GFID)
    case rmdir(EntryLocation, gfid: GFID)
    /// Moves object `gfid` from one name to another, replacing what the new name held unless
    /// `noReplace` (RENAME_NOREPLACE, then `EEXIST`).
    case rename(gfid: GFID, from: EntryLocation, to: EntryLocation, noReplace: Bool)
    case write(gfid: GFID, offset: UInt64, data: ByteBuffer)
    /// Writes `data` at the end of the file as it is when the operation is applied (O_APPEND):
    /// concurrent appenders never overwrite each other, whatever sizes they last saw.
    case append(gfid: GFID, data: ByteBuffer)
    case truncate(gfid: GFID, size: UInt64)
    /// Reserves space; with `keepSize` the file's size does not grow (FALLOC_FL_KEEP_SIZE).
    case fallocate(gfid: GFID, offset: UInt64, length: UInt64, keepSize: Bool)
    /// Deallocates a range, keeping the size (FALLOC_FL_PUNCH_HOLE).
    case discard(gfid: GFID, offset: UInt64, length: UInt64)
    /// Writes zeros over a range (FALLOC_FL_ZERO_RANGE), extending the file if needed.
    case zerofill(gfid: GFID, offset: UInt64, length: UInt64)
    case setattr(gfid: GFID, SetAttributes)
    case setxattr(gfid: GFID, name: XattrName, value: XattrValue, mode: XattrSetMode)
    case removexattr(gfid: GFID, name: XattrName)

    /// The operation's name as logs and `logdump` print it.
    public var name: String {
        switch self {
        case .create: "create"
        case .mkdir: "mkdir"
        case .mknod: "mknod"
        case .symlink: "symlink"
        case .link: "link"
        case .unlink: "unlink"
        case .rmdir: "rmdir"
        case .rename: "rename"
        case .write: "write"
        case .append: "append"
        case .truncate: "truncate"
        case .fallocate: "fallocate"
        case .discard: "discard"
        case .zerofill: "zerofill"
        case .setattr: "setattr"
        case .setxattr: "setxattr"
        case .removexattr: "removexattr"
        }
    }

    /// Every object whose state the operation reads or changes: the object itself and the
    /// directories whose entries it touches. Operations with disjoint sets commute, so a
    /// replica may apply them in parallel.
    public var touchedObjects: Set<GFID> {
        switch self {
        case let .create(location, gfid, _, _, _), let .mkdir(location, gfid, _, _),
            let .mknod(location, gfid, _, _, _), let .symlink(location, gfid, _, _),
            let .unlink(location, gfid), let .rmdir(location, gfid):
            return [location.parent, gfid]
        case let .link(gfid, location):
            return [gfid, location.parent]
        case let .rename(gfid, from, to, _):
            return [gfid, from.parent, to.parent]
        case let .write(gfid, _, _), let .append(gfid, _), let .truncate(gfid, _), let .fallocate(gfid, _, _, _),
            let .discard(gfid, _, _), let .zerofill(gfid, _, _), let .setattr(gfid, _),
            let .setxattr(gfid, _, _, _), let .removexattr(gfid, _):
            return [gfid]
        }
    }

    /// The regular file whose contents the operation changes (write, append, truncate,
    /// fallocate, discard, zerofill); nil for every other operation.
    public var contentTarget: GFID? {
        switch self {
        case let .write(gfid, _, _), let .append(gfid, _), let .truncate(gfid, _), let .fallocate(gfid, _, _, _),
            let .discard(gfid, _, _), let .zerofill(gfid, _, _):
            return gfid
        default:
            return nil
        }
    }

    /// Whether the operation may take more space or inodes: what a brick below its free-space
    /// reserve refuses. Deletes, shrinks, attribute changes and renames never do (a rename over
    /// an existing name frees one), so a user can always make room.
    public var addsData: Bool {
        switch self {
        case .create, .mkdir, .mknod, .symlink, .link, .write, .append, .fallocate, .zerofill, .setxattr: true
        // A truncate that grows leaves a hole, which takes no blocks.
        case .unlink, .rmdir, .rename, .truncate, .discard, .setattr, .removexattr: false
        }
    }
}
