import JBRCore

/// A follower's store that must be rebuilt from the leader's (a full resync): the journal no
/// longer reaches what it lacks, or a resync here was cut short and the store is incomplete.
struct ResyncNeed: Sendable {
    /// The leader the shell was asked to resync from (`ReplicaOutput.startResync`), until it
    /// reports how that ended.
    var askedOf: ReplicaID?
}

/// Full resync, as the core sees it. The copying itself is the shell's (it is I/O); the core
/// decides when it is needed, keeps a replica whose store is incomplete from leading or applying,
/// and continues replication from the position the copy was taken at.
///
/// Leader: a follower past the journal's reach (`needsResync`) gets `resyncRequired` with every
/// heartbeat instead of appends, until its report shows it within reach again; then its repair
/// is planned as any returning follower's. Follower: on `resyncRequired` (or any word from the
/// leader while its store is incomplete) it asks the shell for a resync, ignores appends and
/// report requests meanwhile, never campaigns, and once the store is installed at A its log is
/// empty after A and it reports to the leader.
extension ReplicaCore {
    mutating func receiveResyncRequired(from leader: ReplicaID, firstRetained: JournalIndex) {
        heardFromLeader(leader)
        if resync == nil && log.lastIndex.next >= firstRetained {
            // Within reach after all (a resync just finished): the report says so.
            output.sendNow.append(envelope(to: leader, .report(report)))
            return
        }
        askForResync(from: leader)
    }

    /// Asks the shell for a resync from `leader`, once until it reports back.
    mutating func askForResync(from leader: ReplicaID) {
        var need = resync ?? ResyncNeed()
        guard need.askedOf == nil else { return }
        need.askedOf = leader
        resync = need
        output.startResync = leader
        output.events.append(.resyncStarted(leader: leader))
    }

    /// The shell rebuilt the store at `floor`: the log holds nothing after it, and the leader
    /// hears where this replica is now.
    mutating func resyncInstalled(floor: LogPosition, sessions: SessionTable) {
        guard resync != nil else { return }
        precondition(floor.index >= log.lastIndex, "a resync at \(floor) would drop journal entries through \(log.last)")
        log = ReplicaLog(last: floor, termStarts: [], floor: floor, applied: floor.index, recent: [])
        self.sessions = sessions
        resync = nil
        output.events.append(.resyncInstalled(floor: floor))
        if case let .follower(leader?) = role { output.sendNow.append(envelope(to: leader, .report(report))) }
    }
}
