#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// The GFID → object index under `.jbr/gfid/` (see `HandlePath` for the layout): how the store
/// finds an object from the GFID an operation names, without trusting any path in the user tree.
final class HandleIndex {
    /// `.jbr/gfid/`.
    let root: StoreDescriptor
    /// Where a new directory handle is made before it is renamed into place, so a crash leaves
    /// no half-made handle in the index (the staging directory is emptied at open).
    let staging: StoreDescriptor

    static let directoryName = Array("gfid".utf8)

    init(root: StoreDescriptor, staging: StoreDescriptor) {
        self.root = root
        self.staging = staging
    }

    /// Bucket directories opened before, by the two GFID bytes that name them: nearly every
    /// operation reaches its objects through their buckets, and opening one costs two `openat`
    /// and a `close`. Buckets are never removed, so a descriptor stays right for the store's
    /// life. At most `maxOpenBuckets`; when full, one goes at random.
    private var openBuckets: [UInt16: StoreDescriptor] = [:]
    static let maxOpenBuckets = 256

    /// Closes the buckets kept open: the index was emptied (a full resync), and they are gone.
    func forgetOpenBuckets() { openBuckets = [:] }

    /// The bucket directory `ab/cd/` of `gfid`; nil if it does not exist and `create` is false.
    func bucket(for gfid: GFID, create: Bool) throws(StoreError) -> StoreDescriptor? {
        let key = UInt16(truncatingIfNeeded: gfid.uuid.high >> 48)
        if let open = openBuckets[key] { return open }
        let (first, second) = HandlePath.buckets(gfid)
        guard let outer = try subdirectory(first, of: root, create: create),
            let bucket = try subdirectory(second, of: outer, create: create)
        else { return nil }
        if openBuckets.count >= Self.maxOpenBuckets, let victim = openBuckets.keys.randomElement() {
            openBuckets[victim] = nil
        }
        openBuckets[key] = bucket
        return bucket
    }

    /// The handle of `gfid`: its bucket and its status (never following it); nil if none.
    func handle(_ gfid: GFID) throws(StoreError) -> (bucket: StoreDescriptor, status: stat)? {
        guard let bucket = try bucket(for: gfid, create: false),
            let status = try bucket.status(of: HandlePath.name(gfid))
        else { return nil }
        return (bucket, status)
    }

    /// Makes the handle of the non-directory `gfid` a hard link to `name` in `directory`. An
    /// existing handle must already be that object (same inode); anything else is damage.
    func linkObject(_ gfid: GFID, named name: [UInt8], in directory: StoreDescriptor, status: stat) throws(StoreError) {
        let bucket = try bucket(for: gfid, create: true)!
        let handleName = HandlePath.name(gfid)
        if let existing = try bucket.status(of: handleName) {
            guard existing.st_ino == status.st_ino, existing.st_dev == status.st_dev else {
                throw .damaged("handle of \(gfid) is another object than \(directory.subject(name))")
            }
            return
        }
        try directory.hardLink(name, into: bucket, as: handleName)
    }

    /// A new directory handle made in the staging directory, ready to be renamed into the index.
    struct PreparedHandle {
        let temporaryName: [UInt8]
        let bucket: StoreDescriptor
        let handleName: [UInt8]
    }

    /// Points the handle of directory `gfid` at `name` in `parent`, replacing it atomically.
    /// Does nothing if it already points there.
    func pointDirectory(_ gfid: GFID, at parent: GFID, name: FileName) throws(StoreError) {
        if let prepared = try prepareDirectoryHandle(gfid, at: parent, name: name) { try install(prepared) }
    }

    /// Makes (but does not yet install) a handle of directory `gfid` pointing at `name` in
    /// `parent`: everything that needs a new inode or block happens here, so a full disk stops
    /// an operation before it changes what users see. Nil if the handle already points there.
    func prepareDirectoryHandle(_ gfid: GFID, at parent: GFID, name: FileName) throws(StoreError) -> PreparedHandle? {
        let bucket = try bucket(for: gfid, create: true)!
        let handleName = HandlePath.name(gfid)
        let target = HandlePath.directoryTarget(parent: parent, name: name)
        if let existing = try bucket.status(of: handleName), existing.st_mode & S_IFMT == S_IFLNK,
            try bucket.readLink(handleName) == target
        {
            return nil
        }
        let temporary = Array("handle-".utf8) + handleName
        if try staging.status(of: temporary) != nil { try staging.removeEntry(temporary, isDirectory: false) }
        try staging.makeSymlink(temporary, target: target)
        return PreparedHandle(temporaryName: temporary, bucket: bucket, handleName: handleName)
    }

    /// Renames a prepared handle over the old one.
    func install(_ prepared: PreparedHandle) throws(StoreError) {
        try staging.rename(prepared.temporaryName, into: prepared.bucket, as: prepared.handleName, noReplace: false)
    }

    /// Removes the handle of `gfid`, if there is one.
    func removeHandle(_ gfid: GFID) throws(StoreError) {
        guard let bucket = try bucket(for: gfid, create: false) else { return }
        do throws(StoreError) {
            try bucket.removeEntry(HandlePath.name(gfid), isDirectory: false)
        } catch where error.errno == ENOENT {}
    }

    private func subdirectory(_ name: [UInt8], of parent: StoreDescriptor, create: Bool) throws(StoreError) -> StoreDescriptor? {
        do throws(StoreError) {
            return try parent.openDirectory(name)
        } catch where error.errno == ENOENT {
            guard create else { return nil }
        }
        do throws(StoreError) {
            try parent.makeDirectory(name, mode: 0o700)
        } catch where error.errno == EEXIST {}
        return try parent.openDirectory(name)
    }
}
