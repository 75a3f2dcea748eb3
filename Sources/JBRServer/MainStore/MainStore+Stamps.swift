#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// Applied stamps: every object carries the journal index of the last operation applied to it
/// (`IdentityStore.stamp`), as a database page carries the log sequence number of its last
/// change (ARIES' pageLSN).
///
/// Why: replaying the journal from the last checkpoint runs operations on a tree that may
/// already hold their effects and those of later operations, and re-deciding an operation on a
/// later tree can come out differently (an rmdir that failed with ENOTEMPTY succeeds once a later
/// operation has emptied the directory). So an operation runs only if some object it touches
/// (`FileOperation.touchedObjects`) that still exists carries an older stamp; every operation,
/// whether it succeeded or was refused, stamps the objects it touches when it is done.
///
/// This relies on the file system keeping metadata changes in the order they were made (ext4 and
/// XFS commit their journals in order): a stamp that survived a crash means the changes made
/// before it survived. File contents are not ordered with metadata, so a content operation found
/// stamped still redoes its change to the contents (`MainStore.changeContent`).
extension MainStore {
    /// The objects among `gfids` that exist now.
    func liveObjects(_ gfids: Set<GFID>) throws(StoreError) -> [StoreObject] {
        var live: [StoreObject] = []
        for gfid in gfids.sorted() {
            do throws(StoreError) {
                live.append(try object(gfid))
            } catch {
                if case .refused = error { continue }
                throw error
            }
        }
        return live
    }

    /// Whether the operation at `index`, touching `objects`, has already been applied.
    func isApplied(_ objects: [StoreObject], at index: JournalIndex) throws(StoreError) -> Bool {
        guard !objects.isEmpty else { return false }
        for object in objects where try stamp(of: object) < index {
            return false
        }
        return true
    }

    /// Redoes the change to the contents of a content operation found already applied.
    func reapplyContent(_ operation: FileOperation) throws(StoreError) {
        switch operation {
        case .write, .truncate, .fallocate, .discard, .zerofill:
            do throws(StoreError) {
                _ = try changeContent(operation, time: nil)
            } catch {
                if case .refused = error { return }
                throw error
            }
        default:
            return
        }
    }

    func stamp(of object: StoreObject) throws(StoreError) -> JournalIndex {
        guard let status = try currentStatus(of: object) else { return .zero }
        return try identity.stamp(in: object.base, name: object.name, status: status)
    }

    /// Stamps `object` with `index`, unless the operation removed it.
    func setStamp(_ index: JournalIndex, on object: StoreObject) throws(StoreError) {
        guard let status = try currentStatus(of: object), status.st_nlink > 0 else { return }
        try identity.setStamp(index, in: object.base, name: object.name, status: status)
    }

    private func currentStatus(of object: StoreObject) throws(StoreError) -> stat? {
        guard let name = object.name else { return try object.base.status() }
        return try object.base.status(of: name)
    }
}
