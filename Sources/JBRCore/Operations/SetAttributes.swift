/// The attributes a `setattr` changes: any subset of mode, owner, group and the two times.
/// A nil field is left as it is.
public struct SetAttributes: Hashable, Sendable {
    /// Permission bits (mode & 0o7777).
    public var permissions: UInt16?
    public var uid: UInt32?
    public var gid: UInt32?
    public var accessTime: TimeUpdate?
    public var modificationTime: TimeUpdate?

    public init(permissions: UInt16? = nil, uid: UInt32? = nil, gid: UInt32? = nil, accessTime: TimeUpdate? = nil, modificationTime: TimeUpdate? = nil) {
        precondition(permissions.map { $0 <= 0o7777 } ?? true, "permissions carry type bits")
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.accessTime = accessTime
        self.modificationTime = modificationTime
    }

    public var isEmpty: Bool {
        permissions == nil && uid == nil && gid == nil && accessTime == nil && modificationTime == nil
    }
}

/// A new value for a file time.
public enum TimeUpdate: Hashable, Sendable {
    /// The time the leader sequenced the operation. It is journaled with the record, so every
    /// replica and every replay sets the same time (UTIME_NOW without clock skew between bricks).
    case sequencingTime
    case exact(Timestamp)
}

/// How `setxattr` treats an existing attribute (XATTR_CREATE / XATTR_REPLACE).
public enum XattrSetMode: UInt8, Hashable, Sendable, CaseIterable {
    /// Create or replace.
    case upsert = 0
    /// Fail with EEXIST if the attribute exists.
    case createOnly = 1
    /// Fail with ENODATA if it does not.
    case replaceOnly = 2
}

/// A name in a directory: the parent's GFID and the entry's name, as GlusterFS's `loc_t`
/// addresses entries.
public struct EntryLocation: Hashable, Sendable, CustomStringConvertible {
    public var parent: GFID
    public var name: FileName

    public init(parent: GFID, name: FileName) {
        self.parent = parent
        self.name = name
    }

    public var description: String { "\(parent)/\(name)" }
}
