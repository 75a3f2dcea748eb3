#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore
import NIOCore

/// The follower's side of a full resync: empty the store, rebuild it from the leader's manifest,
/// write the bytes fetched, then set the applied mark at the manifest's position.
///
/// While a resync is under way the store is incomplete: a marker file (`resync-in-progress`
/// under `.jbr/store/`) says so from before the first removal to after the mark is set, and a
/// brick that opens with it empties its store again and waits for a new resync (`BrickServer`).
extension MainStore {
    static let resyncMarkerName = Array("resync-in-progress".utf8)

    /// Whether a resync was cut short here.
    public var resyncInterrupted: Bool {
        get throws(StoreFailure) { try Self.failing { () throws(StoreError) in try state.status(of: Self.resyncMarkerName) != nil } }
    }

    /// Marks the store incomplete and empties it: every user object, the GFID index, the
    /// inode index, staging and pending removals, and the root's user xattrs. The store's own
    /// files (format, mark, the brick's replica state and sessions) stay.
    func emptyForResync() throws(StoreFailure) {
        try Self.failing { () throws(StoreError) in
            try AtomicFile.replace(Self.resyncMarkerName, in: state, with: Array("incomplete".utf8))
            writableFiles = [:]
            openDirectories.forgetAll()
            try Self.removeContents(of: brick, except: [StoreLayout.reservedName])
            try Self.removeContents(of: index.root, except: [])
            index.forgetOpenBuckets()
            try Self.removeContents(of: identity.inodes, except: [])
            try Self.removeContents(of: staging, except: [])
            try Self.removeContents(of: pending, except: [])
            for name in try brick.xattrNames(of: nil) where !XattrPolicy.isReserved(name) {
                try brick.removeXattr(name, of: nil)
            }
        }
    }

    /// Carries out one manifest step (`.times` and `.content` are the caller's, later).
    func installResyncStep(_ step: ResyncStep) throws(StoreFailure) {
        switch step {
        case let .operation(operation):
            // The manifest's own time: every time is set exactly at the end.
            let result = try Self.outcome { () throws(StoreError) in try perform(operation, index: JournalIndex(1), time: Timestamp(seconds: 0)) }
            if case let .failure(error) = result {
                throw StoreFailure(JBRError(.EIO, "resync: \(operation.name) from the leader's manifest was refused here: \(error)"))
            }
        case let .stamp(gfid, index):
            try Self.failing { () throws(StoreError) in try setStamp(index, on: object(gfid)) }
        case .times, .content:
            return
        }
    }

    /// Writes bytes of a file fetched from the leader (its times are set at the end).
    func installResyncContent(_ gfid: GFID, offset: UInt64, data: ByteBuffer) throws(StoreFailure) {
        let result = try Self.outcome { () throws(StoreError) in try changeContent(.write(gfid: gfid, offset: offset, data: data), time: nil) }
        if case let .failure(error) = result {
            throw StoreFailure(JBRError(.EIO, "resync: writing \(gfid)'s bytes was refused here: \(error)"))
        }
    }

    /// Sets an object's times exactly, last of all (creating entries and writing bytes move them).
    func installResyncTimes(_ gfid: GFID, access: Timestamp, modification: Timestamp) throws(StoreFailure) {
        let changes = SetAttributes(accessTime: .exact(access), modificationTime: .exact(modification))
        let result = try Self.outcome { () throws(StoreError) in try setAttributes(gfid, changes, time: modification) }
        if case let .failure(error) = result {
            throw StoreFailure(JBRError(.EIO, "resync: setting \(gfid)'s times was refused here: \(error)"))
        }
    }

    /// The store is complete at `position`: the mark moves there (after a sync) and the marker
    /// goes. Unlike a checkpoint, the mark may move to anywhere ahead.
    func completeResync(at position: LogPosition) throws(StoreFailure) {
        precondition(position >= appliedThrough, "a resync's position \(position) is behind the store's mark \(appliedThrough)")
        try checkpoint(through: position)
        try Self.failing { () throws(StoreError) in
            try state.removeEntry(Self.resyncMarkerName, isDirectory: false)
            try state.sync()
        }
    }

    /// Removes everything in `directory` but the names in `keep`, depth first, never following
    /// a symlink.
    private static func removeContents(of directory: StoreDescriptor, except keep: Set<[UInt8]>) throws(StoreError) {
        for name in try directory.entryNames() where !keep.contains(name) {
            guard let status = try directory.status(of: name) else { continue }
            let isDirectory = status.st_mode & S_IFMT == S_IFDIR
            if isDirectory { try removeContents(of: directory.openDirectory(name), except: []) }
            try directory.removeEntry(name, isDirectory: isDirectory)
        }
    }
}
