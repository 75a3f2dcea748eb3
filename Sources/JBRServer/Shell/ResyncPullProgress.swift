import JBRCore
import Synchronization

/// The follower side of a full resync as `status` shows it: updated by the pull as it goes,
/// read by status requests from any connection.
final class ResyncPullProgress: Sendable {
    private struct State {
        var attempts: UInt32 = 0
        var current: ResyncProgress?
        var started = ContinuousClock.now
    }

    private let state = Mutex(State())

    /// A new attempt from `source`.
    func begin(from source: ReplicaID) {
        state.withLock { state in
            state.attempts += 1
            state.started = .now
            state.current = ResyncProgress(phase: .starting, source: source, attempts: state.attempts)
        }
    }

    func update(_ change: (inout ResyncProgress) -> Void) {
        state.withLock { state in
            guard var progress = state.current else { return }
            change(&progress)
            state.current = progress
        }
    }

    /// The attempt ended; after a failure the count of attempts stays, for `status`.
    func end(succeeded: Bool) {
        state.withLock { state in
            state.current = nil
            if succeeded { state.attempts = 0 }
        }
    }

    /// What `status` shows for a core that still needs its store rebuilt (`waitingFor` is the
    /// leader it asked, if any): the running attempt, or a wait for the next.
    func snapshot(waitingFor source: ReplicaID?) -> ResyncProgress {
        state.withLock { state in
            guard var progress = state.current else { return ResyncProgress(phase: .waiting, source: source, attempts: state.attempts) }
            progress.elapsedMilliseconds = Self.milliseconds(ContinuousClock.now - state.started)
            return progress
        }
    }

    private static func milliseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000_000
    }
}
