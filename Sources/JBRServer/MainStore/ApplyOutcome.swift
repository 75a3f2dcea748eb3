import JBRCore

/// What applying a committed operation did.
public enum ApplyOutcome: Hashable, Sendable {
    /// The operation ran; every replica that applies it to the same tree computes this result.
    case applied(OperationResult)
    /// A replay found the operation's effect already in place and did not run it again; its
    /// original result is not known here (the journal's dedup state has it).
    case alreadyApplied
}
