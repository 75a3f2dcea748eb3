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
/// leader while its store is incomplete) it asks the shell for a resync, takes no appends and
/// answers everything with `resyncUnderway` meanwhile (so it counts towards check-quorum and
/// read confirmation), never campaigns, and once the store is installed at A its log is empty
/// after A and it reports to the leader.
extension ReplicaCore {
    mutating func receiveResyncRequired(from leader: ReplicaID, firstRetained: JournalIndex, readContext: UInt64) {
        heardFromLeader(leader)
        if resync == nil && log.lastIndex.next >= firstRetained {
            // Within reach after all (a resync just finished): the report says so.
            output.sendNow.append(envelope(to: leader, .report(report)))
            return
        }
        holdForResync(leader, readContext: readContext)
    }

    /// The answer to anything the leader sends while this store is incomplete: a resync is (or
    /// is now) asked for, and the leader hears this replica still follows it. Without that
    /// answer a leader with one whole follower and one being rebuilt would lose check-quorum,
    /// and could confirm no read: the very reads the resync copies with.
    mutating func holdForResync(_ leader: ReplicaID, readContext: UInt64) {
        askForResync(from: leader)
        output.sendNow.append(envelope(to: leader, .resyncUnderway(readContext: readContext)))
    }

    /// Leader: a follower being rebuilt still follows; it needs no appends until it reports.
    mutating func receiveResyncUnderway(from peer: ReplicaID, readContext: UInt64) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        progress.answered(readContext: readContext)
        if !progress.needsResync {
            // A new leader learns it here (its question went unanswered): no appends, only
            // `resyncRequired` with heartbeats, until the follower reports.
            progress.needsResync = true
            progress.awaitingJournal = false
        }
        state.progress[peer] = progress
        role = .leader(state)
        confirmReads()
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
