import JBRCore
import Synchronization

/// Journal records a leader keeps past its retention for followers being resynced: a follower
/// that got the tree at index A needs A + 1 onward, or its resync was for nothing. A pin lapses
/// when not renewed in time (a follower that went away must not hold the journal forever).
final class RetentionPins: Sendable {
    private let pins = Mutex<[ReplicaID: (through: JournalIndex, lapsesAt: ContinuousClock.Instant)]>([:])

    /// Keeps the records after `through` for `follower` (replacing its earlier pin) for `hold`.
    func pin(after through: JournalIndex, for follower: ReplicaID, hold: Duration) {
        pins.withLock { $0[follower] = (through, ContinuousClock.now + hold) }
    }

    /// Extends `follower`'s pin, if it has one.
    func renew(_ follower: ReplicaID, hold: Duration) {
        pins.withLock { pins in pins[follower]?.lapsesAt = ContinuousClock.now + hold }
    }

    /// The first index some pin still needs, if any (lapsed pins are dropped).
    var firstNeeded: JournalIndex? {
        pins.withLock { pins in
            let now = ContinuousClock.now
            pins = pins.filter { $0.value.lapsesAt > now }
            return pins.values.map(\.through.next).min()
        }
    }
}
