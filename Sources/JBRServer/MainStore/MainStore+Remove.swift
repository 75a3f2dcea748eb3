#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

extension MainStore {
    /// Removes the name `location`, which held `gfid`. A name already gone is success (and
    /// mends what a crash left behind: the index entry, the parent's time); a name holding
    /// another object is ESTALE.
    func unlink(_ location: EntryLocation, gfid: GFID, time: Timestamp) throws(StoreError) -> OperationReply {
        let operation = "unlink \(location)"
        let parent = try directory(location.parent)
        try refuseReserved(location, operation: operation)
        switch EntryDecisions.unlink(gfid: gfid, name: try nameState(location.name, in: parent)) {
        case .alreadyDone:
            try removeHandleIfOrphaned(gfid)
            try parent.setTimes(of: nil, access: nil, modification: time)
        case .perform:
            try parent.removeEntry(location.name.bytes, isDirectory: false)
            try removeHandleIfOrphaned(gfid)
            try parent.setTimes(of: nil, access: nil, modification: time)
        case let .refuse(code):
            throw .refused(code, "\(operation) (gfid \(gfid))")
        case .useExisting:
            preconditionFailure("unlink never uses an existing object")
        }
        return .done
    }

    /// Removes the empty directory `location`, which held `gfid`, and its handle.
    func removeDirectory(_ location: EntryLocation, gfid: GFID, time: Timestamp) throws(StoreError) -> OperationReply {
        let operation = "rmdir \(location)"
        let parent = try directory(location.parent)
        try refuseReserved(location, operation: operation)
        switch EntryDecisions.rmdir(gfid: gfid, name: try nameState(location.name, in: parent)) {
        case .alreadyDone:
            try removeDirectoryHandle(gfid, ifPointingAt: location)
            try parent.setTimes(of: nil, access: nil, modification: time)
        case .perform:
            try parent.removeEntry(location.name.bytes, isDirectory: true)
            try removeDirectoryHandle(gfid, ifPointingAt: nil)
            try parent.setTimes(of: nil, access: nil, modification: time)
        case let .refuse(code):
            throw .refused(code, "\(operation) (gfid \(gfid))")
        case .useExisting:
            preconditionFailure("rmdir never uses an existing object")
        }
        return .done
    }

    /// Removes the handle of non-directory `gfid` once the handle is its only link: the object
    /// has no name left in the volume.
    func removeHandleIfOrphaned(_ gfid: GFID) throws(StoreError) {
        guard case let .object(_, _, status) = try handleKind(gfid), status.st_nlink < 2 else { return }
        // Handle first: an inode-index entry left by a crash is harmless, a handle without one
        // could not be told from a directory handle.
        try index.removeHandle(gfid)
        try identity.forget(gfid, status: status)
    }

    /// Removes the handle of directory `gfid`; with `location`, only if the handle points there
    /// (the directory was removed from there; elsewhere it may still live).
    func removeDirectoryHandle(_ gfid: GFID, ifPointingAt location: EntryLocation?) throws(StoreError) {
        guard case let .directory(target) = try handleKind(gfid) else { return }
        if let location {
            guard let (parent, name) = HandlePath.parseDirectoryTarget(target), parent == location.parent, name == location.name else { return }
        }
        try index.removeHandle(gfid)
        openDirectories.forget(gfid)
    }
}
