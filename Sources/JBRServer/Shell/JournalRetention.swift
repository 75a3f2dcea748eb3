import Journal
import JBRCore
import Logging

/// Trims the brick's journal after each store checkpoint, keeping the newest `retentionBytes`
/// for lagging replicas (`TrimPolicy`). Trimmed segments become the journal's spares, so a brick
/// that keeps up writes into blocks it already owns.
struct JournalRetention: Sendable {
    let journal: Journal
    let retentionBytes: Int
    let logger: Logger
    /// Records kept for followers being resynced.
    var pins = RetentionPins()
    /// Told the journal's new first index after each trim.
    var trimmed: @Sendable (JournalIndex) -> Void = { _ in }

    /// Called on the store's thread once everything through `checkpoint` is applied and synced.
    func trim(afterCheckpoint checkpoint: JournalIndex) {
        let point = TrimPolicy.trimPoint(
            consumers: .init(storeCheckpoint: checkpoint, geoCursors: []), retainedFrom: journal.retentionStart(bytes: retentionBytes))
        // Appended is not yet durable on a leader that committed through its followers.
        let trimBefore = min(point, journal.durablePosition.index.next, pins.firstNeeded ?? point)
        guard trimBefore > journal.firstIndex else { return }
        do {
            let first = try journal.trim(before: trimBefore)
            logger.debug("journal trimmed", metadata: ["journal.first": "\(first)"])
            trimmed(first)
        } catch {
            // The journal stays as it was, longer; appends report the disk's trouble themselves.
            logger.warning("journal trim failed", metadata: ["error": "\(error)"])
        }
    }
}
