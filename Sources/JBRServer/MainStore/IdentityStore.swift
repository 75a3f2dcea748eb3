#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// Reads and writes what the store keeps with each object: its GFID, and its applied stamp (the
/// journal index of the last operation applied to it; see `MainStore+Stamps`).
///
/// Normally xattrs on the object (`IdentityNamespace`), so they travel with the inode through
/// renames and are shared by hard links. In the user namespace Linux refuses user xattrs on
/// symlinks, FIFOs and sockets; those objects are identified by an entry
/// `.jbr/store/inodes/<inode number>`, a symlink whose target is `<GFID>` or
/// `<GFID> <stamp>`. An entry is written for every such object before it gets a name, so one
/// left behind by a crash for a recycled inode number is always overwritten before it is read.
final class IdentityStore {
    let namespace: IdentityNamespace
    /// `.jbr/store/inodes/`.
    let inodes: StoreDescriptor
    /// Where a new inode-index entry is made before it is renamed into place.
    let staging: StoreDescriptor

    init(namespace: IdentityNamespace, inodes: StoreDescriptor, staging: StoreDescriptor) {
        self.namespace = namespace
        self.inodes = inodes
        self.staging = staging
    }

    static let inodesDirectoryName = Array("inodes".utf8)

    /// The GFID of `name` in `directory` (of `directory` itself when `name` is nil), whose
    /// status is `status`; nil if it has none (it is not part of the volume).
    func gfid(in directory: StoreDescriptor, name: [UInt8]?, status: stat) throws(StoreError) -> GFID? {
        if usesInodeIndex(status) { return try inodeEntry(status)?.gfid }
        let value: [UInt8]?
        do throws(StoreError) {
            value = try directory.xattr(namespace.gfidAttribute, of: name, maxBytes: 16)
        } catch where error.errno == ERANGE {
            return nil
        }
        guard let value, value.count == 16 else { return nil }
        return GFID(bytes: value)
    }

    /// Gives the object `gfid` as its identity (and no stamp yet).
    func setGFID(_ gfid: GFID, in directory: StoreDescriptor, name: [UInt8]?, status: stat) throws(StoreError) {
        guard usesInodeIndex(status) else {
            return try directory.setXattr(namespace.gfidAttribute, value: gfid.bytes, of: name)
        }
        try writeInodeEntry(status, gfid: gfid, stamp: .zero)
    }

    /// The object's applied stamp; zero if it has none.
    func stamp(in directory: StoreDescriptor, name: [UInt8]?, status: stat) throws(StoreError) -> JournalIndex {
        if usesInodeIndex(status) { return try inodeEntry(status)?.stamp ?? .zero }
        guard let value = try directory.xattr(namespace.stampAttribute, of: name, maxBytes: 8), value.count == 8 else { return .zero }
        return JournalIndex(value.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    func setStamp(_ stamp: JournalIndex, in directory: StoreDescriptor, name: [UInt8]?, status: stat) throws(StoreError) {
        guard usesInodeIndex(status) else {
            let value = (0..<8).map { UInt8(truncatingIfNeeded: stamp.rawValue >> (UInt64($0) * 8)) }
            return try directory.setXattr(namespace.stampAttribute, value: value, of: name)
        }
        guard let gfid = try inodeEntry(status)?.gfid else { throw .damaged("\(directory.label): no inode-index entry to stamp") }
        try writeInodeEntry(status, gfid: gfid, stamp: stamp)
    }

    /// Drops the inode-index entry of an object that is gone, if it has one naming `gfid`.
    func forget(_ gfid: GFID, status: stat) throws(StoreError) {
        guard usesInodeIndex(status), try inodeEntry(status)?.gfid == gfid else { return }
        try inodes.removeEntry(inodeEntryName(status), isDirectory: false)
    }

    private func usesInodeIndex(_ status: stat) -> Bool {
        guard namespace == .user else { return false }
        let type = status.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    private func inodeEntryName(_ status: stat) -> [UInt8] { Array(String(status.st_ino).utf8) }

    private func inodeEntry(_ status: stat) throws(StoreError) -> (gfid: GFID, stamp: JournalIndex)? {
        let target: [UInt8]
        do throws(StoreError) {
            target = try inodes.readLink(inodeEntryName(status))
        } catch where error.errno == ENOENT {
            return nil
        }
        let parts = target.split(separator: UInt8(ascii: " "), maxSplits: 1)
        guard let first = parts.first, let gfid = HandlePath.gfid(named: Array(first)) else { return nil }
        let stamp = parts.count == 2 ? UInt64(String(decoding: parts[1], as: UTF8.self)) : 0
        return (gfid, JournalIndex(stamp ?? 0))
    }

    private func writeInodeEntry(_ status: stat, gfid: GFID, stamp: JournalIndex) throws(StoreError) {
        let entry = inodeEntryName(status)
        let temporary = Array("inode-".utf8) + entry
        let target = HandlePath.name(gfid) + (stamp == .zero ? [] : Array(" \(stamp.rawValue)".utf8))
        if try staging.status(of: temporary) != nil { try staging.removeEntry(temporary, isDirectory: false) }
        try staging.makeSymlink(temporary, target: target)
        try staging.rename(temporary, into: inodes, as: entry, noReplace: false)
    }
}
