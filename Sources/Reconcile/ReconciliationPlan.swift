import JBRCore

/// What every replica of the set must do so that each journal equals the authority's.
public struct ReconciliationPlan: Hashable, Sendable {
    /// The replica whose journal every other copies.
    public var authority: ReplicaID
    public var authorityLast: LogPosition
    /// The highest index some report proves committed (by its commit index, applied mark or trim
    /// point); never beyond `authorityLast`. Entries after it on the authority may be uncommitted:
    /// the next leader commits them with its own term.
    public var committed: JournalIndex
    /// One directive per replica of the set, by replica id.
    public var directives: [ReplicaDirective]

    public init(authority: ReplicaID, authorityLast: LogPosition, committed: JournalIndex, directives: [ReplicaDirective]) {
        self.authority = authority
        self.authorityLast = authorityLast
        self.committed = committed
        self.directives = directives
    }

    public func directive(for replica: ReplicaID) -> ReplicaDirective? {
        directives.first { $0.replica == replica }
    }

    /// True when no replica that reported has anything to do.
    public var isSettled: Bool {
        directives.allSatisfy { $0.actions.isEmpty }
    }
}
