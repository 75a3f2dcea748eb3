#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// A rename that replaces an object must then drop that object's handle if the replaced name
/// was its last. A crash between the two would leave the handle behind, and a replay cannot
/// tell: it finds the rename done and no longer knows what was replaced. So the replaced GFID
/// is noted in `.jbr/store/pending/` before the rename and the note removed once its handle has
/// been dealt with; whatever a crash leaves noted is finished when the store opens.
extension MainStore {
    /// Notes that the rename about to run replaces `gfid`.
    func notePendingRemoval(_ gfid: GFID) throws(StoreError) {
        _ = try pending.open(HandlePath.name(gfid), flags: O_WRONLY | O_CREAT, mode: 0o600)
    }

    /// Finishes every noted removal that can be finished now.
    func finishPendingRemovals() throws(StoreError) {
        for name in try pending.entryNames() {
            guard let gfid = HandlePath.gfid(named: name) else { throw .damaged("pending removal '\(StoreDescriptor.printable(name))' is not a GFID") }
            try finishPendingRemoval(gfid)
        }
    }

    /// Drops the handle of `gfid` if the object is gone (a non-directory with no name left; a
    /// directory whose handle's place holds something else), then the note. A directory whose
    /// parent cannot be reached now stays noted.
    func finishPendingRemoval(_ gfid: GFID) throws(StoreError) {
        switch try handleKind(gfid) {
        case .absent:
            break
        case let .object(_, _, status):
            if status.st_nlink < 2 {
                try index.removeHandle(gfid)
                try identity.forget(gfid, status: status)
            }
        case let .directory(target):
            guard let (parent, name) = HandlePath.parseDirectoryTarget(target) else {
                throw .damaged("handle of directory \(gfid) points to '\(StoreDescriptor.printable(target))'")
            }
            let parentDirectory: StoreDescriptor
            do throws(StoreError) {
                parentDirectory = try directory(parent)
            } catch {
                if case .refused = error { return }
                throw error
            }
            if case let .present(holder, _, _) = try entry(name, in: parentDirectory), holder == gfid { break }
            try index.removeHandle(gfid)
            openDirectories.forget(gfid)
        }
        do throws(StoreError) {
            try pending.removeEntry(HandlePath.name(gfid), isDirectory: false)
        } catch where error.errno == ENOENT {}
    }
}
