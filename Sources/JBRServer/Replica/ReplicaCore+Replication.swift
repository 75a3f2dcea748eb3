import JBRCore

extension ReplicaCore {
    // MARK: Leader: sequencing

    mutating func clientWrite(_ request: ClientRequest, token: ClientToken) {
        guard case var .leader(state) = role else {
            output.replies.append((token, .result(.failure(.notLeader(hint: leader, term: hardState.term)))))
            return
        }
        switch sessions.lookup(request.id) {
        case let .done(result):
            output.replies.append((token, .result(result)))
            return
        case .forgotten:
            output.replies.append((token, .result(.failure(JBRError(.EINVAL, "request \(request.id) is older than the results kept for its client")))))
            return
        case .unknown:
            break
        }
        if let index = state.inFlight[request.id] {
            // A retry of a request already in the log: wait for the same entry.
            state.writers[index, default: []].append(token)
            state.appendedAt[index] = ticks
            role = .leader(state)
            return
        }
        if let refusal = admissionRefusal(state, for: request.operation) {
            output.events.append(.writeRefused(refusal.code))
            output.replies.append((token, .result(.failure(refusal))))
            return
        }
        if holdsWrites(state) {
            state.heldWrites.append((request, token, ticks))
            role = .leader(state)
            return
        }
        let operation = assigningGFID(request.operation)
        let index = appendEntry(.operation(OperationEntry(request: request.id, sequencedAt: now, operation: operation)))
        guard case .leader(var updated) = role else { return }
        updated.writers[index, default: []].append(token)
        updated.inFlight[request.id] = index
        updated.appendedAt[index] = ticks
        role = .leader(updated)
        broadcastAppends(heartbeat: false)
    }

    /// Why a new write cannot be taken now, if it cannot.
    func admissionRefusal(_ state: LeaderState, for operation: FileOperation) -> JBRError? {
        // Refused before sequencing, so no replica ever has to apply what does not fit; a
        // retry of a write already taken is answered above, whatever the space.
        if storageLow && operation.addsData {
            return JBRError(.ENOSPC, "brick \(configuration.id) is within its free-space reserve; deletes still work")
        }
        if state.uncommittedBytes >= configuration.maxUncommittedBytes {
            return JBRError(.overloaded, "\(state.uncommittedBytes) bytes await commit (limit \(configuration.maxUncommittedBytes))")
        }
        if holdsWrites(state), state.heldWrites.count >= configuration.maxHeldWrites {
            return JBRError(.overloaded, "\(state.heldWrites.count) writes wait for the new leader's first entry to commit")
        }
        // A leader that has heard from no majority this period would only queue writes that
        // cannot commit; say so at once.
        let active = state.progress.values.filter(\.recentlyActive).count + 1
        if active < configuration.quorum && electionElapsed >= configuration.electionTicks / 2 && configuration.members.count > 1 {
            return JBRError(.noQuorum, "heard from \(active) of \(configuration.members.count) bricks recently")
        }
        return nil
    }

    /// New objects get a GFID chosen by the leader unless the client chose one; the seeded
    /// generator keeps simulations reproducible.
    mutating func assigningGFID(_ operation: FileOperation) -> FileOperation {
        switch operation {
        case let .create(location, gfid, permissions, owner, exclusive) where gfid.isNull:
            return .create(location, gfid: GFID.random(using: &rng), permissions: permissions, owner: owner, exclusive: exclusive)
        case let .mkdir(location, gfid, permissions, owner) where gfid.isNull:
            return .mkdir(location, gfid: GFID.random(using: &rng), permissions: permissions, owner: owner)
        case let .mknod(location, gfid, type, permissions, owner) where gfid.isNull:
            return .mknod(location, gfid: GFID.random(using: &rng), type: type, permissions: permissions, owner: owner)
        case let .symlink(location, gfid, target, owner) where gfid.isNull:
            return .symlink(location, gfid: GFID.random(using: &rng), target: target, owner: owner)
        default:
            return operation
        }
    }

    /// Appends an entry of this term to the leader's own log and journal.
    @discardableResult
    mutating func appendEntry(_ payload: LogEntry.Payload) -> JournalIndex {
        let entry = LogEntry(position: LogPosition(term: hardState.term, index: log.lastIndex.next), payload: payload)
        log.append(entry)
        output.append.append(entry)
        if case var .leader(state) = role {
            state.uncommittedBytes += entry.encodedSize
            role = .leader(state)
        }
        if configuration.members.count == 1 { maybeCommit() }
        return entry.position.index
    }

    // MARK: Leader: sending

    /// Sends what each follower may take; a heartbeat sends at least an empty append to each.
    mutating func broadcastAppends(heartbeat: Bool, readContext: UInt64 = 0) {
        for peer in configuration.peers { sendAppend(to: peer, heartbeat: heartbeat, readContext: readContext) }
    }

    mutating func sendAppend(to peer: ReplicaID, heartbeat: Bool, readContext: UInt64 = 0) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        defer {
            state.progress[peer] = progress
            role = .leader(state)
        }
        if progress.needsResync {
            // Instead of appends, with every heartbeat: "resync from me".
            if heartbeat || readContext != 0 {
                output.sendNow.append(envelope(to: peer, .resyncRequired(firstRetained: log.floor.index.next, readContext: readContext)))
            }
            return
        }
        if progress.mode == .awaitingReport {
            // Only the question, first at once, then with every heartbeat until answered.
            if heartbeat || !progress.reportRequested {
                progress.reportRequested = true
                output.sendNow.append(envelope(to: peer, .reportRequest))
            }
            return
        }
        let hasEntries = progress.next <= log.lastIndex
        if hasEntries, progress.canSend(maxInflightBytes: configuration.maxInflightBytesPerFollower) {
            guard let previousTerm = log.term(at: progress.next.previous) else {
                progress.needsResync = true
                output.resyncNeeded.append(peer)
                return
            }
            let maxBytes = progress.mode == .probe ? min(configuration.maxProbeBytes, configuration.maxAppendBytes) : configuration.maxAppendBytes
            guard let entries = log.entries(from: progress.next, maxBytes: maxBytes) else {
                progress.awaitingJournal = true
                output.readJournal.append((peer, progress.next, maxBytes))
                return
            }
            send(entries, previous: LogPosition(term: previousTerm, index: progress.next.previous), to: peer, progress: &progress, readContext: readContext)
        } else if heartbeat || readContext != 0 {
            // Nothing to send, or paused: an empty append keeps the follower's lease and carries
            // the commit index and any read confirmation. It names the last entry sent, so a
            // follower that lost an append (a dropped connection) refuses it and the leader
            // probes back instead of waiting forever.
            let previous = progress.next.previous
            guard let previousTerm = log.term(at: previous) else {
                progress.needsResync = true
                output.resyncNeeded.append(peer)
                return
            }
            output.sendNow.append(envelope(to: peer, .append(
                previous: LogPosition(term: previousTerm, index: previous), entries: [],
                commit: min(log.commit, previous), readContext: readContext)))
        }
    }

    mutating func send(_ entries: [LogEntry], previous: LogPosition, to peer: ReplicaID, progress: inout FollowerProgress, readContext: UInt64) {
        let last = entries.last?.position.index ?? previous.index
        output.sendNow.append(envelope(to: peer, .append(previous: previous, entries: entries, commit: min(log.commit, last), readContext: readContext)))
        guard !entries.isEmpty else { return }
        switch progress.mode {
        case .awaitingReport:
            break
        case .probe:
            progress.probeSent = true
        case .replicate:
            let bytes = entries.reduce(0) { $0 + $1.encodedSize }
            progress.inflight.append((last, bytes))
            progress.inflightBytes += bytes
            progress.next = last.next
        }
    }

    /// The shell read entries a follower needed from the journal.
    mutating func journalEntriesArrived(for peer: ReplicaID, _ entries: [LogEntry]) {
        guard case var .leader(state) = role, var progress = state.progress[peer], progress.awaitingJournal else { return }
        progress.awaitingJournal = false
        defer {
            state.progress[peer] = progress
            role = .leader(state)
        }
        // Use them only if they still are this log's entries from where the follower is, and
        // its repair was not reset meanwhile.
        guard progress.mode != .awaitingReport, let first = entries.first, first.position.index == progress.next,
            entries.allSatisfy({ log.term(at: $0.position.index) == $0.position.term }),
            let previousTerm = log.term(at: progress.next.previous)
        else { return }
        send(entries, previous: LogPosition(term: previousTerm, index: progress.next.previous), to: peer, progress: &progress, readContext: 0)
    }

    mutating func journalUnavailable(for peer: ReplicaID) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        progress.awaitingJournal = false
        progress.needsResync = true
        state.progress[peer] = progress
        role = .leader(state)
        output.resyncNeeded.append(peer)
    }

    // MARK: Follower: receiving

    /// The leader of this term spoke: follow it, and restart the election timer (its lease).
    mutating func heardFromLeader(_ leader: ReplicaID) {
        if case .follower(leader) = role {} else { becomeFollower(term: hardState.term, leader: leader) }
        electionElapsed = 0
    }

    mutating func receiveAppend(from leader: ReplicaID, previous: LogPosition, entries: [LogEntry], commit: JournalIndex, readContext: UInt64) {
        heardFromLeader(leader)
        // An incomplete store takes nothing until it is rebuilt (then log matching resumes).
        if resync != nil { return holdForResync(leader, readContext: readContext) }
        func reply(_ success: Bool, match: JournalIndex, conflict: LogPosition? = nil, afterPersist: Bool = false) {
            let message = envelope(to: leader, .appendResponse(success: success, match: match, conflict: conflict, readContext: readContext))
            if afterPersist { output.sendAfterPersist.append(message) } else { output.sendNow.append(message) }
        }
        guard previous.index <= log.lastIndex else {
            reply(false, match: log.lastIndex)
            return
        }
        if previous.index >= log.commit, let have = log.term(at: previous.index), have != previous.term {
            // Log matching failed: tell the leader the term we hold there and where it starts.
            let start = log.firstIndex(ofTermAt: previous.index) ?? previous.index
            reply(false, match: log.lastIndex, conflict: LogPosition(term: have, index: start))
            return
        }
        var appended = false
        for entry in entries where entry.position.index > log.commit {
            if entry.position.index <= log.lastIndex {
                if log.term(at: entry.position.index) == entry.position.term { continue }
                let cut = entry.position.index.previous
                log.truncate(after: cut)
                output.truncateAfter = min(output.truncateAfter ?? cut, cut)
                output.append.removeAll { $0.position.index > cut }
            }
            log.append(entry)
            output.append.append(entry)
            appended = true
        }
        let covered = entries.last?.position.index ?? previous.index
        let newCommit = min(commit, covered)
        if newCommit > log.commit {
            log.commit = newCommit
            output.committed = newCommit
        }
        // Acknowledge only what is durable: new entries after they are persisted.
        if appended {
            reply(true, match: covered, afterPersist: true)
        } else {
            reply(true, match: min(covered, log.persisted.index))
        }
        emitApply()
    }

    // MARK: Leader: acknowledgements

    mutating func receiveAppendResponse(from peer: ReplicaID, success: Bool, match: JournalIndex, conflict: LogPosition?, readContext: UInt64) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        progress.answered(readContext: readContext)
        if success {
            if match > progress.match {
                progress.match = match
                if progress.next <= match { progress.next = match.next }
            }
            progress.acknowledged(through: match)
            if progress.mode == .probe {
                progress.mode = .replicate
                progress.probeSent = false
                progress.next = max(progress.next, progress.match.next)
            }
        } else if progress.mode != .awaitingReport {
            // (A refusal of an append sent before the repair was reset is moot: a plan comes.)
            // Back up: past the follower's end, or to the end of the conflicting term we hold.
            var next = min(progress.next.previous, match.next)
            if let conflict {
                next = min(next, log.lastIndex(ofTerm: conflict.term).map { $0.next } ?? conflict.index)
            }
            progress.resetToProbe(next: max(next, JournalIndex(1)))
        }
        state.progress[peer] = progress
        role = .leader(state)
        maybeCommit()
        confirmReads()
        sendAppend(to: peer, heartbeat: false)
    }

    // MARK: Write timeouts

    /// Writes waiting longer than the limit are answered `noQuorum` (the entry stays; a retry
    /// with the same request id waits for it again), so no client hangs forever.
    mutating func timeOutWrites() {
        guard case var .leader(state) = role else { return }
        let timeout = UInt64(configuration.writeTimeoutTicks)
        if let first = state.heldWrites.first, ticks - first.heldAt >= timeout {
            let waited = state.heldWrites.prefix { ticks - $0.heldAt >= timeout }
            state.heldWrites.removeFirst(waited.count)
            for write in waited {
                output.replies.append((write.token, .result(.failure(JBRError(
                    .noQuorum, "this term's first entry was not committed by a majority within \(configuration.writeTimeoutTicks) ticks",
                    leaderHint: configuration.id, term: hardState.term)))))
            }
            role = .leader(state)
        }
        let expired = state.appendedAt.filter { ticks - $0.value >= UInt64(configuration.writeTimeoutTicks) && $0.key > log.commit }
        guard !expired.isEmpty else { return }
        for (index, _) in expired.sorted(by: { $0.key < $1.key }) {
            for token in state.writers[index] ?? [] {
                output.replies.append((token, .result(.failure(JBRError(.noQuorum, "not committed by a majority within \(configuration.writeTimeoutTicks) ticks", leaderHint: configuration.id, term: hardState.term)))))
            }
            state.writers[index] = nil
            state.appendedAt[index] = nil
        }
        role = .leader(state)
    }
}
