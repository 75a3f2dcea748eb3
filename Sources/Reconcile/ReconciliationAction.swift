import JBRCore

/// One step that brings a replica's journal to the authority's. A replica's steps run in the
/// order the plan lists them.
public enum ReconciliationAction: Hashable, Sendable {
    /// Remove every record after `after`: a divergent suffix, each record differing from the
    /// authority's at its index or lying past its end, so none was committed. `after` is never
    /// below what the replica itself knows committed (that would be `.inconsistent`). Another
    /// replica may know a higher index committed: its entries there are the authority's, not these.
    case truncate(after: JournalIndex)
    /// Copy the records `from ... through` verbatim from `source`, positions preserved.
    case replay(from: JournalIndex, through: JournalIndex, source: ReplicaID)
    /// The records the replica needs are trimmed from `source`'s journal: discard the replica's
    /// journal and store, install `source`'s store checkpoint (which covers every record before
    /// `thenReplayFrom`), then replay `source`'s records from `thenReplayFrom` through the
    /// authority's last position (none if `thenReplayFrom` is past it). Never preceded by a
    /// truncate: the whole journal is replaced, as Raft's InstallSnapshot does.
    case fullResync(source: ReplicaID, thenReplayFrom: JournalIndex)
}
