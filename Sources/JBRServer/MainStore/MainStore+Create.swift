#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// The kinds of object create, mkdir, mknod and symlink make.
enum NewObject {
    case regular
    case directory
    case special(SpecialFileType)
    case symlink(SymlinkTarget)

    var type: FileType {
        switch self {
        case .regular: .regular
        case .directory: .directory
        case .special(.fifo): .fifo
        case .special(.socket): .socket
        case .symlink: .symlink
        }
    }

    var operationName: String {
        switch self {
        case .regular: "create"
        case .directory: "mkdir"
        case .special: "mknod"
        case .symlink: "symlink"
        }
    }
}

extension MainStore {
    /// Makes `object` with GFID `gfid` at `location`.
    ///
    /// The object is made complete in the staging directory (GFID, stamp, owner, permissions after
    /// the owner so the umask and chown's clearing of set-id bits do not change them, both times
    /// set to `time`) and indexed there, then renamed into place without replacing anything: the
    /// rename is the moment it appears. A full disk stops the creation before that, leaving
    /// nothing users can see; a crash leaves nothing under the name (the staging directory is
    /// emptied at open, with the handle made for what was staged) or the complete object, whose
    /// parent time the replayed operation sets (the `.alreadyDone` path).
    func create(_ object: NewObject, at location: EntryLocation, gfid: GFID, permissions: UInt16, owner: Owner, exclusive: Bool = true, time: Timestamp, stamp: JournalIndex) throws(StoreError) -> OperationReply {
        let operation = "\(object.operationName) \(location)"
        if gfid.isNull || gfid == .root { throw .refused(.EINVAL, "\(operation): \(gfid) cannot name a new object") }
        if permissions > 0o7777 { throw .refused(.EINVAL, "\(operation): permissions \(String(permissions, radix: 8)) carry type bits") }
        let parent = try directory(location.parent)
        try refuseReserved(location, operation: operation)
        let name = try nameState(location.name, in: parent)
        switch EntryDecisions.create(object.type, gfid: gfid, exclusive: exclusive, name: name, index: try indexState(gfid)) {
        case .alreadyDone:
            try mendHandle(gfid, type: object.type, at: location, in: parent)
            try parent.setTimes(of: nil, access: nil, modification: time)
            return .attributes(try attributes(of: location.name, in: parent, gfid: gfid))
        case .useExisting:
            guard case let .holds(existing, _) = name else { preconditionFailure("useExisting without an existing object") }
            return .attributes(try attributes(of: location.name, in: parent, gfid: existing))
        case let .refuse(code):
            throw .refused(code, "\(operation) (gfid \(gfid))")
        case .perform:
            break
        }
        let staged = try stage(object, gfid: gfid, permissions: permissions, owner: owner, time: time, stamp: stamp, at: location)
        try staging.rename(staged, into: parent, as: location.name.bytes, noReplace: true)
        try parent.setTimes(of: nil, access: nil, modification: time)
        return .attributes(try attributes(of: location.name, in: parent, gfid: gfid))
    }

    /// Makes the index entry of `gfid`, which `location` (in `parent`) holds, what it should be.
    func mendHandle(_ gfid: GFID, type: FileType, at location: EntryLocation, in parent: StoreDescriptor) throws(StoreError) {
        if type == .directory {
            return try index.pointDirectory(gfid, at: location.parent, name: location.name)
        }
        guard let status = try parent.status(of: location.name.bytes) else {
            throw .damaged("\(parent.subject(location.name.bytes)) vanished while being indexed")
        }
        try index.linkObject(gfid, named: location.name.bytes, in: parent, status: status)
    }

    /// Makes the complete object in the staging directory, named by its GFID, with its handle
    /// (a directory's pointing at `location`), and returns that name. On failure nothing is left.
    private func stage(_ object: NewObject, gfid: GFID, permissions: UInt16, owner: Owner, time: Timestamp, stamp: JournalIndex, at location: EntryLocation) throws(StoreError) -> [UInt8] {
        let name = HandlePath.name(gfid)
        try discardStaged(name)
        do throws(StoreError) {
            // A regular file is finished through the descriptor that made it: by name, each call
            // would look it up again, and a chmod that must not follow symlinks takes glibc four
            // calls through /proc.
            var file: StoreDescriptor?
            switch object {
            case .regular: file = try staging.open(name, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            case .directory: try staging.makeDirectory(name, mode: 0o700)
            case .special(.fifo): try staging.makeNode(name, mode: S_IFIFO | 0o600)
            case .special(.socket): try staging.makeNode(name, mode: S_IFSOCK | 0o600)
            case let .symlink(target): try staging.makeSymlink(name, target: target.bytes)
            }
            let (base, entry): (StoreDescriptor, [UInt8]?) = file.map { ($0, nil) } ?? (staging, name)
            // Its times are about to be set, so they are not read.
            let status: stat
            if let file {
                status = try file.statusWithoutTimes()
            } else {
                guard let found = try staging.status(of: name) else { throw StoreError.damaged("staged \(gfid) vanished") }
                status = found
            }
            try identity.setGFID(gfid, in: base, name: entry, status: status)
            try identity.setStamp(stamp, in: base, name: entry, status: status)
            try base.changeOwner(of: entry, uid: owner.uid, gid: owner.gid)
            if object.type != .symlink { try base.changePermissions(of: entry, to: permissions) }
            try base.setTimes(of: entry, access: time, modification: time)
            if object.type == .directory {
                try index.pointDirectory(gfid, at: location.parent, name: location.name)
            } else {
                try index.linkObject(gfid, named: name, in: staging, status: status)
            }
        } catch {
            try? discardStaged(name)
            throw error
        }
        return name
    }

    /// Removes `name` from the staging directory, if it is there. A staged object never got its
    /// name, so the handle made for it goes too (and its inode-index entry).
    func discardStaged(_ name: [UInt8]) throws(StoreError) {
        guard let status = try staging.status(of: name) else { return }
        let isDirectory = status.st_mode & S_IFMT == S_IFDIR
        if let gfid = HandlePath.gfid(named: name) {
            if let (_, handle) = try index.handle(gfid), isDirectory ? handle.st_mode & S_IFMT == S_IFLNK : handle.st_ino == status.st_ino {
                try index.removeHandle(gfid)
            }
            try identity.forget(gfid, status: status)
        }
        try staging.removeEntry(name, isDirectory: isDirectory)
    }
}
