/// Limits on the work one key's check may do, so a hard history ends with "unknown" instead of
/// running for hours (the search is exponential in the number of concurrent operations).
public struct SearchBudget: Hashable, Sendable {
    /// Distinct (linearized set, state) pairs one search may visit before answering "unknown".
    /// Each costs about `operations / 8 + 64` bytes: 1 M states of a 2 000-operation key is
    /// roughly 300 MiB. Typical histories need a few times their operation count.
    public var maxExploredStates: Int
    /// Searches spent on making a counterexample small (each within `maxExploredStates`). More
    /// gives a shorter list of operations to read; the shortest non-linearizable prefix is found
    /// regardless.
    public var maxShrinkSearches: Int
    /// States each of those searches may visit (capped by `maxExploredStates`). Relaxing
    /// operations can make a search exponentially harder than the one that found the problem;
    /// a reduction that costs more than this is skipped rather than waited for.
    public var maxExploredStatesPerShrinkSearch: Int

    public init(maxExploredStates: Int = 1_000_000, maxShrinkSearches: Int = 400, maxExploredStatesPerShrinkSearch: Int = 20_000) {
        precondition(maxExploredStates > 0 && maxShrinkSearches >= 0 && maxExploredStatesPerShrinkSearch > 0)
        self.maxExploredStates = maxExploredStates
        self.maxShrinkSearches = maxShrinkSearches
        self.maxExploredStatesPerShrinkSearch = maxExploredStatesPerShrinkSearch
    }
}
