#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// An object of the volume found by its GFID, and how to reach it: a directory is held open
/// (`base`, `name` nil); any other object is its handle in the index (`base` the bucket,
/// `name` the handle's name), which is a hard link to it.
struct StoreObject {
    let gfid: GFID
    let type: FileType
    let base: StoreDescriptor
    let name: [UInt8]?
}

/// What a name in a directory holds, as the store finds it.
enum EntryState {
    case absent
    case present(GFID, FileType, stat)
    /// Something without a GFID (or a device node): not part of the volume. Reads do not show
    /// it; an operation that meets it stops, because replicas that lack it would decide
    /// differently.
    case foreign(String)
}

/// What the index holds for a GFID.
enum HandleKind {
    case absent
    /// A hard link to a non-directory object carrying this GFID.
    case object(FileType, bucket: StoreDescriptor, status: stat)
    /// A directory handle: a symlink to `../../xy/zw/<parent>/<name>`.
    case directory(target: [UInt8])
}

extension MainStore {
    /// Directory handles are walked up to the root; a longer chain means a loop in the index.
    static let maxDirectoryDepth = 4096

    /// The object `gfid` names. ESTALE if none does (or it has no name left), EINVAL for the
    /// null GFID.
    func object(_ gfid: GFID) throws(StoreError) -> StoreObject {
        if gfid.isNull { throw .refused(.EINVAL, "the null GFID names nothing") }
        if gfid == .root { return StoreObject(gfid: gfid, type: .directory, base: brick, name: nil) }
        if let open = openDirectories.descriptor(gfid) { return StoreObject(gfid: gfid, type: .directory, base: open, name: nil) }
        switch try handleKind(gfid) {
        case .absent:
            throw .refused(.ESTALE, "no object has GFID \(gfid)")
        case let .object(type, bucket, status):
            // Only the handle is left: a crash interrupted the removal of its last name.
            guard status.st_nlink >= 2 else { throw .refused(.ESTALE, "object \(gfid) has no name left") }
            return StoreObject(gfid: gfid, type: type, base: bucket, name: HandlePath.name(gfid))
        case let .directory(target):
            return StoreObject(gfid: gfid, type: .directory, base: try directory(gfid, handleTarget: target), name: nil)
        }
    }

    /// The directory `gfid` names, opened by walking the chain of directory handles up to the
    /// root (or to a directory already open) and then opening each name down from there
    /// without following symlinks, checking each directory's GFID. ENOTDIR if `gfid` is not a
    /// directory; ESTALE if it does not exist or is not where its handle says; a handle that is
    /// not of the handle form, or points into `.jbr`, or loops, is damage. `handleTarget` is
    /// the target of `gfid`'s own handle, when the caller has just read it.
    func directory(_ gfid: GFID, handleTarget: [UInt8]? = nil) throws(StoreError) -> StoreDescriptor {
        if gfid.isNull { throw .refused(.EINVAL, "the null GFID names nothing") }
        if let open = openDirectories.descriptor(gfid) { return open }
        var chain: [(gfid: GFID, name: FileName)] = []
        var seen: Set<GFID> = []
        var current = gfid
        var directory = brick
        while current != .root {
            if current != gfid, let open = openDirectories.descriptor(current) {
                directory = open
                break
            }
            guard seen.insert(current).inserted, chain.count < Self.maxDirectoryDepth else {
                throw .damaged("directory handles of \(gfid) form a loop or a chain deeper than \(Self.maxDirectoryDepth)")
            }
            let kind = if current == gfid, let handleTarget { HandleKind.directory(target: handleTarget) } else { try handleKind(current) }
            switch kind {
            case .absent:
                throw .refused(.ESTALE, current == gfid ? "no object has GFID \(gfid)" : "ancestor \(current) of directory \(gfid) has no handle")
            case .object:
                if current == gfid { throw .refused(.ENOTDIR, "\(gfid) is not a directory") }
                throw .damaged("ancestor \(current) of directory \(gfid) has the handle of a non-directory")
            case let .directory(target):
                guard let (parent, name) = HandlePath.parseDirectoryTarget(target) else {
                    throw .damaged("handle of directory \(current) points to '\(StoreDescriptor.printable(target))', not ../../xy/zw/<gfid>/<name>")
                }
                chain.append((current, name))
                current = parent
            }
        }
        for (child, name) in chain.reversed() {
            if directory === brick && name.bytes == StoreLayout.reservedName {
                throw .damaged("handle of directory \(child) points into .jbr")
            }
            do throws(StoreError) {
                directory = try directory.openDirectory(name.bytes, label: "directory \(child)")
            } catch where [ENOENT, ENOTDIR, ELOOP].contains(error.errno) {
                throw .refused(.ESTALE, "directory \(child) is not where its handle says")
            }
            guard try identity.gfid(in: directory, name: nil, status: directory.statusWithoutTimes()) == child else {
                throw .refused(.ESTALE, "the directory where the handle of \(child) points has another GFID")
            }
            openDirectories.remember(child, directory)
        }
        return directory
    }

    /// What the index holds for `gfid` (not the root). A symlink in the index is a symlink
    /// object if it carries `gfid` itself, else a directory handle.
    func handleKind(_ gfid: GFID) throws(StoreError) -> HandleKind {
        guard let (bucket, status) = try index.handle(gfid) else { return .absent }
        let name = HandlePath.name(gfid)
        guard let type = FileType(mode: status.st_mode), type != .directory else {
            throw .damaged("handle of \(gfid) is neither a link to an object nor a directory handle")
        }
        let carried = try identity.gfid(in: bucket, name: name, status: status)
        if type == .symlink && carried != gfid {
            return .directory(target: try bucket.readLink(name))
        }
        guard carried == gfid else {
            throw .damaged("handle of \(gfid) links to an object with GFID \(carried.map { "\($0)" } ?? "none")")
        }
        return .object(type, bucket: bucket, status: status)
    }

    /// What `name` in `directory` holds.
    func entry(_ name: FileName, in directory: StoreDescriptor) throws(StoreError) -> EntryState {
        guard let status = try directory.status(of: name.bytes) else { return .absent }
        guard let type = FileType(mode: status.st_mode) else { return .foreign("\(directory.subject(name.bytes)) is a device node") }
        guard let gfid = try identity.gfid(in: directory, name: name.bytes, status: status) else {
            return .foreign("\(directory.subject(name.bytes)) has no GFID")
        }
        return .present(gfid, type, status)
    }

    /// What `name` holds, for an operation about to change the tree: a foreign entry stops it.
    func nameState(_ name: FileName, in directory: StoreDescriptor) throws(StoreError) -> EntryDecisions.NameState {
        switch try entry(name, in: directory) {
        case .absent: return .absent
        case let .present(gfid, type, _): return .holds(gfid, type)
        case let .foreign(reason): throw .damaged(reason)
        }
    }

    /// Whether `gfid` is indexed, and whether that object can be reached.
    func indexState(_ gfid: GFID) throws(StoreError) -> EntryDecisions.IndexState {
        if gfid == .root { return .live }
        guard try index.handle(gfid) != nil else { return .absent }
        do throws(StoreError) {
            _ = try object(gfid)
            return .live
        } catch let .refused(refusal) where refusal.code == .ESTALE {
            return .stale
        }
    }

    /// `.jbr` at the root is the brick's: no operation may name it.
    func refuseReserved(_ location: EntryLocation, operation: String) throws(StoreError) {
        if isReserved(location) {
            throw .refused(.EPERM, "\(operation): '.jbr' at the root of the volume is reserved for the brick")
        }
    }

    func isReserved(_ location: EntryLocation) -> Bool {
        location.parent == .root && location.name.bytes == StoreLayout.reservedName
    }

    /// The attributes of `object` as they are now.
    func attributes(of object: StoreObject) throws(StoreError) -> FileAttributes {
        let status: stat?
        if let name = object.name {
            status = try object.base.status(of: name)
        } else {
            status = try object.base.status()
        }
        return try Self.attributes(status, gfid: object.gfid, of: object.base.label)
    }

    /// The attributes of `name` in `directory`, which holds `gfid`.
    func attributes(of name: FileName, in directory: StoreDescriptor, gfid: GFID) throws(StoreError) -> FileAttributes {
        try Self.attributes(directory.status(of: name.bytes), gfid: gfid, of: directory.subject(name.bytes))
    }

    static func attributes(_ status: stat?, gfid: GFID, of subject: String) throws(StoreError) -> FileAttributes {
        guard let status, let attributes = FileAttributes(status: status, gfid: gfid) else {
            throw .damaged("\(subject) vanished or is a device node")
        }
        return attributes
    }
}
