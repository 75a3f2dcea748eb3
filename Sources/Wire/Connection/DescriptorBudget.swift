#if canImport(Glibc)
import Glibc
#endif

/// How many connections the process's open-file limit leaves room for. A server that admits
/// connections up to its own count limit alone can run out of descriptors first (a 1024 soft
/// limit is common, and so is `maxConnections` 1024), and then the files it must open (journal
/// segments, checkpoints) fail: a stranger who merely connects could stop it. Read at every
/// admission, so a limit changed while running counts.
package enum DescriptorBudget {
    /// RLIM_INFINITY (all ones; the C macro does not import).
    private static let unlimited = rlim_t.max

    /// The soft RLIMIT_NOFILE less what is kept for everything else: `reserved`, or a quarter
    /// of a small limit.
    static func connections(reserving reserved: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != Self.unlimited else { return .max }
        let soft = Int(clamping: limit.rlim_cur)
        return max(1, soft - min(reserved, soft / 4))
    }

    /// Raises the soft open-file limit to the hard one (as servers do at start), so the
    /// connection limit, not a login shell's default, is what binds. Returns the soft limit now.
    @discardableResult
    package static func raiseSoftLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == Self.unlimited ? nil : Int(clamping: limit.rlim_cur)
    }
}
