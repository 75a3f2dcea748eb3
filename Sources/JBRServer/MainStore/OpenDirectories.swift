import JBRCore

/// Directories of the tree the store has resolved, kept open by GFID (`MainStore.directory`).
///
/// Resolving a directory from scratch walks its chain of handles up to the root (three calls a
/// level) and opens and checks each level on the way down: some twenty calls for a directory
/// three levels deep, and an operation resolves its parent more than once. A descriptor stays
/// right while its directory lives, wherever renames move it: a directory's GFID never changes
/// and is never reused. A removed directory (no links left) is dropped when next asked for; the
/// store also forgets each one it removes, and all of them when a resync empties the tree.
final class OpenDirectories {
    private var byGFID: [GFID: StoreDescriptor] = [:]
    /// At most this many are kept; when full, one goes at random.
    static let limit = 128

    /// The open directory `gfid`, if it was resolved before and still exists.
    func descriptor(_ gfid: GFID) -> StoreDescriptor? {
        guard let open = byGFID[gfid] else { return nil }
        // Without its times: reading a directory's times just before changing it would give
        // every change a fine-grained timestamp (Linux 6.13 multigrain timestamps).
        guard let status = try? open.statusWithoutTimes(), status.st_nlink > 0 else {
            byGFID[gfid] = nil
            return nil
        }
        return open
    }

    func remember(_ gfid: GFID, _ directory: StoreDescriptor) {
        if byGFID[gfid] == nil, byGFID.count >= Self.limit, let victim = byGFID.keys.randomElement() {
            byGFID[victim] = nil
        }
        byGFID[gfid] = directory
    }

    func forget(_ gfid: GFID) { byGFID[gfid] = nil }

    /// How many are open now.
    var count: Int { byGFID.count }

    func forgetAll() { byGFID = [:] }
}
