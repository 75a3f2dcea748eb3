/// One client operation on one file, as recorded by a test harness.
///
/// Times are monotonic nanoseconds on one clock (the harness's). Operation A precedes operation
/// B in real time only if A completed strictly before B was invoked; operations whose intervals
/// touch or overlap are concurrent. An indeterminate operation never completes, whatever
/// `completedAt` says (that is only when the client gave up).
public struct HistoryOperation: Hashable, Sendable, CustomStringConvertible {
    /// The client (Jepsen's "process") that issued it; for printing and grouping only.
    public let client: UInt64
    /// The file name: the register the operation acts on.
    public let key: String
    public let kind: OperationKind
    public let invokedAt: UInt64
    /// When the client learned the outcome; `nil` only for an indeterminate operation that never
    /// returned (the harness stopped first).
    public let completedAt: UInt64?
    public let outcome: OperationOutcome

    /// - Precondition: the outcome fits the kind (`read` → `.observed`, `write`/`append` →
    ///   `.done`, `compareAndSet` → `.swapped`); `completedAt` is present unless indeterminate and
    ///   not before `invokedAt`. A decoded history reports the same problems as errors instead.
    public init(
        client: UInt64,
        key: String,
        kind: OperationKind,
        invokedAt: UInt64,
        completedAt: UInt64?,
        outcome: OperationOutcome
    ) {
        if let problem = Self.problem(kind: kind, invokedAt: invokedAt, completedAt: completedAt, outcome: outcome) {
            preconditionFailure("malformed history operation: \(problem)")
        }
        self.client = client
        self.key = key
        self.kind = kind
        self.invokedAt = invokedAt
        self.completedAt = completedAt
        self.outcome = outcome
    }

    /// Why these fields cannot make an operation, or `nil` when they can.
    static func problem(kind: OperationKind, invokedAt: UInt64, completedAt: UInt64?, outcome: OperationOutcome) -> String? {
        if case .ok(let result) = outcome, !result.fits(kind) {
            return "\(kind.name) cannot return \(result)"
        }
        guard let completedAt else {
            return outcome == .indeterminate ? nil : "only an indeterminate operation may lack a completion time"
        }
        return completedAt < invokedAt ? "completed at \(completedAt), before its invocation at \(invokedAt)" : nil
    }

    /// The completion time the checker uses: `nil` (+infinity) for an indeterminate operation.
    public var effectiveCompletion: UInt64? { outcome == .indeterminate ? nil : completedAt }

    /// The same operation recorded as indeterminate: it may take effect at any time after its
    /// invocation, or never.
    public var asIndeterminate: HistoryOperation {
        HistoryOperation(client: client, key: key, kind: kind, invokedAt: invokedAt, completedAt: completedAt, outcome: .indeterminate)
    }

    /// `[invoked … completed] client N  kind  outcome`, e.g. `[120 … 340] client 2  read  ok → "a"`.
    public var description: String { "\(interval) client \(client)  \(kind)  \(outcome)" }

    /// `[invoked … completed]`, with `?` for an operation that never completed.
    public var interval: String { "[\(invokedAt) … \(completedAt.map(String.init) ?? "?")]" }
}
