import JBRCore

/// The outcome of planning: a plan, or a refusal that says why. Never a guess.
public enum ReconciliationOutcome: Hashable, Sendable {
    case planned(ReconciliationPlan)
    /// Not enough is known to choose the authority safely (fewer than a majority reported, or the
    /// leader's own report is missing): hear from `waitingFor` and plan again.
    case undecided(waitingFor: [ReplicaID], reason: String)
    /// The reports contradict each other or the replication invariants (a committed entry would
    /// be cut, a leader is behind, checksums disagree where terms agree). Needs an operator.
    case inconsistent(String)

    public var plan: ReconciliationPlan? {
        if case let .planned(plan) = self { return plan }
        return nil
    }
}
