/// Names of the store's own directories. Under the brick:
///
/// ```
/// .jbr/journal/                 the journal (the Journal module's)
/// .jbr/gfid/ab/cd/<gfid>        handles: the GFID index (HandlePath)
/// .jbr/store/format             version and GFID namespace (StoreFormat)
/// .jbr/store/applied-through    the applied-through mark (AppliedMark)
/// .jbr/store/staging/           objects being made, temporary handles; emptied at open
/// .jbr/store/pending/           handles a rename may have orphaned (MainStore+PendingRemovals)
/// .jbr/store/inodes/<inode>     user-namespace identities of symlinks, FIFOs, sockets
/// ```
enum StoreLayout {
    /// `.jbr` at the brick's root: the journal and the brick's state. Never part of the volume.
    static let reservedName = Array(".jbr".utf8)
    static let stateDirectory = Array("store".utf8)
    static let stagingDirectory = Array("staging".utf8)
    static let pendingDirectory = Array("pending".utf8)
}
