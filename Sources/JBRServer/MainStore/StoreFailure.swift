import JBRCore

/// The main store could not do what it was asked because of the disk or the store itself, not
/// because of the request: ENOSPC, EDQUOT, an I/O error, or a store that is not what it should
/// be (a damaged handle, a name without a GFID, a bad applied-through mark).
///
/// Unlike a `.failure` result, which every replica computes alike, a store failure is local to
/// this brick. The caller must not acknowledge the operation and must not advance its
/// applied-through mark; applying the same entry again later (after space is freed, or after
/// repair) is safe, because applying is idempotent.
public struct StoreFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// `ENOSPC`, `EDQUOT` or `EIO`, with what failed and where in `detail`: the error a client
    /// whose request this stopped should see. Creating or opening a store can also fail with
    /// `ENOENT` (no store there) or `EEXIST` (a store already there, or a brick not empty).
    public var error: JBRError

    public init(_ error: JBRError) {
        self.error = error
    }

    public var description: String { "main store: \(error)" }
}
