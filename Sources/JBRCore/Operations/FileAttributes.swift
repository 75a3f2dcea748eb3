/// A point in time as POSIX file times hold it: seconds since the epoch and nanoseconds.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32 = 0) {
        precondition(nanoseconds < 1_000_000_000, "nanoseconds \(nanoseconds) out of range")
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds) }
    public var description: String { "\(seconds).\(String(nanoseconds).leftPadded(to: 9))" }
}

/// The kinds of object a volume stores. Character and block devices are not among them: a brick
/// never creates device nodes.
public enum FileType: UInt8, Hashable, Sendable, CaseIterable {
    case regular = 1
    case directory = 2
    case symlink = 3
    case fifo = 4
    case socket = 5
}

/// The special files `mknod` may create.
public enum SpecialFileType: UInt8, Hashable, Sendable, CaseIterable {
    case fifo = 4
    case socket = 5
}

/// The owner a new object is created with: the caller's identity, journaled with the
/// operation so every replica (and a replay) creates it alike. GlusterFS's fdl did not journal
/// credentials, so its replays ran as the replaying tool.
public struct Owner: Hashable, Sendable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}

/// What `stat` says of an object.
public struct FileAttributes: Hashable, Sendable {
    public var gfid: GFID
    public var type: FileType
    /// Permission bits and set-id/sticky bits only (mode & 0o7777); the type is `type`.
    public var permissions: UInt16
    public var linkCount: UInt32
    public var owner: Owner
    public var size: UInt64
    /// 512-byte blocks allocated.
    public var blocks: UInt64
    public var accessTime: Timestamp
    public var modificationTime: Timestamp
    public var changeTime: Timestamp

    public init(
        gfid: GFID, type: FileType, permissions: UInt16, linkCount: UInt32, owner: Owner, size: UInt64,
        blocks: UInt64, accessTime: Timestamp, modificationTime: Timestamp, changeTime: Timestamp
    ) {
        precondition(permissions <= 0o7777, "permissions \(String(permissions, radix: 8)) carry type bits")
        self.gfid = gfid
        self.type = type
        self.permissions = permissions
        self.linkCount = linkCount
        self.owner = owner
        self.size = size
        self.blocks = blocks
        self.accessTime = accessTime
        self.modificationTime = modificationTime
        self.changeTime = changeTime
    }
}

/// What `statfs` says of a brick's file system.
public struct FileSystemStats: Hashable, Sendable {
    public var blockSize: UInt32
    public var totalBlocks: UInt64
    public var freeBlocks: UInt64
    /// Free blocks an unprivileged caller may use.
    public var availableBlocks: UInt64
    public var totalFiles: UInt64
    public var freeFiles: UInt64
    public var maxNameLength: UInt32

    public init(
        blockSize: UInt32, totalBlocks: UInt64, freeBlocks: UInt64, availableBlocks: UInt64,
        totalFiles: UInt64, freeFiles: UInt64, maxNameLength: UInt32
    ) {
        self.blockSize = blockSize
        self.totalBlocks = totalBlocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.totalFiles = totalFiles
        self.freeFiles = freeFiles
        self.maxNameLength = maxNameLength
    }
}

/// One entry of a directory listing, with its attributes (readdirplus).
public struct DirectoryEntry: Hashable, Sendable {
    public var name: FileName
    public var attributes: FileAttributes

    public init(name: FileName, attributes: FileAttributes) {
        self.name = name
        self.attributes = attributes
    }
}

/// One page of a directory listing. `.` and `..` are not listed; a mount adds them.
public struct DirectoryPage: Hashable, Sendable {
    public var entries: [DirectoryEntry]
    /// Pass back in the next `readdir` to continue after the last entry of this page.
    public var nextCookie: UInt64
    public var isLastPage: Bool

    public init(entries: [DirectoryEntry], nextCookie: UInt64, isLastPage: Bool) {
        precondition(entries.count <= CodecLimits.maxDirectoryEntries)
        self.entries = entries
        self.nextCookie = nextCookie
        self.isLastPage = isLastPage
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
