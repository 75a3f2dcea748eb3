#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

extension MainStore {
    /// Moves object `gfid` from `from` to `to` (`renameat2`, with RENAME_NOREPLACE when
    /// `noReplace`), then points a directory's handle at its new place and drops the handle of
    /// what was replaced if that was its last name (noted beforehand as a pending removal, so a
    /// crash in between cannot leave that handle behind for good). The new handle is made before
    /// the rename, so a full disk stops the operation before anything moved.
    ///
    /// Already done (the source is gone and the destination holds `gfid`) is success, and mends
    /// what a crash left behind: a directory handle pointing at the old place, the parents' times.
    func rename(_ gfid: GFID, from: EntryLocation, to: EntryLocation, noReplace: Bool, time: Timestamp) throws(StoreError) -> OperationReply {
        let operation = "rename \(from) -> \(to)"
        let sourceParent = try directory(from.parent)
        let destinationParent = try directory(to.parent)
        try refuseReserved(from, operation: operation)
        try refuseReserved(to, operation: operation)
        let source = try nameState(from.name, in: sourceParent)
        let destination = try nameState(to.name, in: destinationParent)
        let decision = EntryDecisions.rename(gfid: gfid, source: source, destination: destination, sameName: from == to, noReplace: noReplace)
        switch decision {
        case .alreadyDone:
            if case .holds(gfid, .directory) = destination { try index.pointDirectory(gfid, at: to.parent, name: to.name) }
            try finishPendingRemovals()
            try sourceParent.setTimes(of: nil, access: nil, modification: time)
            try destinationParent.setTimes(of: nil, access: nil, modification: time)
            return .done
        case let .refuse(code):
            throw .refused(code, "\(operation) (gfid \(gfid))")
        case .useExisting:
            preconditionFailure("rename never uses an existing object")
        case .perform:
            break
        }
        var replaced: GFID?
        if case let .holds(existing, _) = destination {
            replaced = existing
            try notePendingRemoval(existing)
        }
        var handle: HandleIndex.PreparedHandle?
        if case .holds(_, .directory) = source { handle = try index.prepareDirectoryHandle(gfid, at: to.parent, name: to.name) }
        do throws(StoreError) {
            try sourceParent.rename(from.name.bytes, into: destinationParent, as: to.name.bytes, noReplace: noReplace)
        } catch {
            if let replaced { try? finishPendingRemoval(replaced) }
            if let handle { try? staging.removeEntry(handle.temporaryName, isDirectory: false) }
            throw error
        }
        if let handle { try index.install(handle) }
        if let replaced { try finishPendingRemoval(replaced) }
        try sourceParent.setTimes(of: nil, access: nil, modification: time)
        try destinationParent.setTimes(of: nil, access: nil, modification: time)
        return .done
    }

    /// Gives object `gfid` the new name `location` (a hard link, sharing the GFID). Directories
    /// cannot be linked (EPERM); a name already holding `gfid` is success.
    func link(_ gfid: GFID, to location: EntryLocation, time: Timestamp) throws(StoreError) -> OperationReply {
        let operation = "link \(gfid) -> \(location)"
        let object = try object(gfid)
        let parent = try directory(location.parent)
        try refuseReserved(location, operation: operation)
        switch EntryDecisions.link(gfid: gfid, type: object.type, name: try nameState(location.name, in: parent)) {
        case .alreadyDone:
            try parent.setTimes(of: nil, access: nil, modification: time)
        case .perform:
            guard let handleName = object.name else { preconditionFailure("a non-directory is reached through its handle") }
            try object.base.hardLink(handleName, into: parent, as: location.name.bytes)
            try parent.setTimes(of: nil, access: nil, modification: time)
        case let .refuse(code):
            throw .refused(code, operation)
        case .useExisting:
            preconditionFailure("link never uses an existing object")
        }
        return .attributes(try attributes(of: object))
    }
}
