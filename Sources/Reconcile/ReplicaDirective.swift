import JBRCore

/// What one replica of the set must do.
public struct ReplicaDirective: Hashable, Sendable {
    public var replica: ReplicaID
    public var work: Work
    /// The replica's last position as reported (nil if it did not report).
    public var last: LogPosition?
    /// The last index where its journal agrees with the authority's (nil if it did not report).
    public var agreesThrough: JournalIndex?

    public enum Work: Hashable, Sendable {
        /// Its journal is the authority: nothing to do.
        case authority
        /// Its journal already equals the authority's.
        case inSync
        /// Run these steps in order.
        case repair([ReconciliationAction])
        /// It did not report: reconcile it when it does (a brick rejoin runs the planner again).
        case pending
    }

    public init(replica: ReplicaID, work: Work, last: LogPosition?, agreesThrough: JournalIndex?) {
        self.replica = replica
        self.work = work
        self.last = last
        self.agreesThrough = agreesThrough
    }

    public var actions: [ReconciliationAction] {
        if case let .repair(actions) = work { return actions }
        return []
    }
}
