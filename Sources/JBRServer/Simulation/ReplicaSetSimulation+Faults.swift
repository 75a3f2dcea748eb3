import JBRCore

/// Faults starting and ending, the healing at the end of the faulty time, and the final check
/// that the healed set converged.
extension ReplicaSetSimulation {
    mutating func faultStarts(_ number: Int) throws {
        let fault = faults[number]
        statistics.faultsInjected += 1
        note("fault: \(fault)")
        switch fault.kind {
        case let .crash(brick):
            guard bricks[index(brick)].up else { return }
            activeFaults.insert(number)
            try crash(brick)
        case let .pause(brick):
            activeFaults.insert(number)
            bricks[index(brick)].pausedUntil = max(bricks[index(brick)].pausedUntil, fault.end)
        case let .clockJump(brick, seconds):
            bricks[index(brick)].clockOffset += seconds
        case .isolate, .cutOneWay, .lossy, .duplicating, .delaying, .slowDisk:
            activeFaults.insert(number)
        }
    }

    mutating func faultEnds(_ number: Int) throws {
        activeFaults.remove(number)
        let fault = faults[number]
        note("ends: \(fault)")
        if case let .crash(brick) = fault.kind { try restart(brick) }
    }

    /// kill -9: the brick's peers see its connections close (`peerLost`).
    mutating func crash(_ brick: ReplicaID) throws {
        let position = index(brick)
        let unsynced = bricks[position].journal.count - bricks[position].durableCount
        let survivors = unsynced > 0 ? Int(random.next() % UInt64(unsynced + 1)) : 0
        statistics.crashes += 1
        note("\(brick) crashes: \(bricks[position].durableCount) entries durable, \(survivors) of \(unsynced) unsynced survive, store at checkpoint \(bricks[position].checkpointedCount)")
        bricks[position].crash(keepingUnsynced: survivors)
        for other in members where other != brick && bricks[index(other)].up && bricks[index(other)].pausedUntil <= now {
            try step(other, .peerLost(brick))
        }
    }

    /// Opens the brick again from what survived, as `BrickServer.open` does.
    mutating func restart(_ brick: ReplicaID) throws {
        let position = index(brick)
        guard !bricks[position].up else { return }
        let state = bricks[position]
        if state.checkpointedCount > state.journal.count {
            try fail("store-ahead-of-journal", "\(brick) restarts with its store applied through \(state.checkpointedCount) and its journal ending at \(state.journal.count)")
        }
        let core = makeCore(
            brick, hardState: state.hardState, journal: state.journal, applied: state.checkpointedCount, sessions: state.checkpointedSessions, life: state.life)
        bricks[position].core = core
        bricks[position].up = true
        bricks[position].lastCommit = bricks[position].core.commitIndex
        note("\(brick) restarts with \(state.journal.count) entries, store at \(state.checkpointedCount)")
    }

    /// The end of the faulty time: every fault ends, every brick runs.
    mutating func heal() throws {
        healed = true
        note("heal: every fault ends")
        for number in activeFaults.sorted() { try faultEnds(number) }
        for brick in members {
            bricks[index(brick)].pausedUntil = min(bricks[index(brick)].pausedUntil, now)
            try restart(brick)
        }
    }

    /// Healed and quiet: one leader, every brick holding and having applied the same committed
    /// log, every acknowledged write in it, no client operation left hanging.
    mutating func checkConvergence() throws {
        let leaders = members.filter { bricks[index($0)].core.isLeader }
        guard leaders.count == 1, let leader = leaders.first else { try fail("no-convergence", "\(leaders.count) bricks lead after healing") }
        let commit = bricks[index(leader)].core.commitIndex
        for brick in members {
            let state = bricks[index(brick)]
            let count = Int(state.core.commitIndex.rawValue)
            if Array(state.journal.prefix(count)) != Array(committed.prefix(count)) {
                try fail("committed-disagree", "\(brick)'s committed prefix differs from the set's")
            }
            if state.core.commitIndex != commit || state.applied.count != Int(commit.rawValue) {
                try fail("no-convergence", "\(brick) committed \(state.core.commitIndex) and applied \(state.applied.count); the leader \(leader) committed \(commit)")
            }
        }
        for acknowledged in history.acknowledged {
            let index = Int(acknowledged.index.rawValue)
            guard index <= committed.count, committed[index - 1].request == acknowledged.request else {
                try fail("acknowledged-lost", "\(acknowledged.request), acknowledged at \(acknowledged.index), is not in the committed log")
            }
        }
        if let hanging = clients.firstIndex(where: { $0.pending != nil }) {
            try fail("client-hangs", "client \(hanging)'s \(clients[hanging].pending!.operation) never completed")
        }
    }
}
