import JBRCore

extension ReplicaCore {
    /// Advances the commit index to the highest index durable on a majority (the leader's own
    /// journal counting once it is durable there), if that entry is of this term: entries of
    /// earlier terms commit only with it (Raft §5.4.2).
    mutating func maybeCommit() {
        guard case let .leader(state) = role else { return }
        var matches = state.progress.values.map(\.match)
        matches.append(log.persisted.index)
        matches.sort(by: >)
        let candidate = matches[configuration.quorum - 1]
        guard candidate > log.commit, log.term(at: candidate) == hardState.term else { return }
        advanceCommit(to: candidate)
    }

    mutating func advanceCommit(to index: JournalIndex) {
        precondition(index <= log.lastIndex, "commit \(index) beyond the log's end \(log.last)")
        let before = log.commit
        log.commit = index
        output.committed = index
        if case var .leader(state) = role {
            for released in stride(from: before.rawValue + 1, through: index.rawValue, by: 1) {
                if let entry = log.entry(at: JournalIndex(released)) { state.uncommittedBytes -= entry.encodedSize }
            }
            state.uncommittedBytes = max(0, state.uncommittedBytes)
            role = .leader(state)
        }
        emitApply()
        if isLeader {
            startPendingReads()
            releaseHeldWrites()
            // Followers learn the new commit index with the next append or heartbeat.
        }
    }

    /// Hands committed entries to the main store, in order: only what is committed and durable
    /// here, so the store never holds what the local journal could lose.
    mutating func emitApply() {
        let through = min(log.commit, log.persisted.index)
        while log.applyQueued < through {
            let index = log.applyQueued.next
            guard let entry = log.entry(at: index) else {
                preconditionFailure("committed entry \(index) to apply is not in the window (base \(log.windowBase))")
            }
            output.apply.append(entry)
            log.applyQueued = index
        }
    }

    /// The store applied an entry: remember its result, answer its writers, release reads.
    mutating func applied(_ index: JournalIndex, result: OperationResult?) {
        precondition(index == log.applied.next, "applied \(index) out of order after \(log.applied)")
        precondition(index <= log.applyQueued, "applied \(index) that was never handed out (queued through \(log.applyQueued))")
        let entry = log.entry(at: index)
        log.applied = index
        if let request = entry?.request {
            sessions.recordApplied(request, result: result)
        }
        if case var .leader(state) = role {
            for token in state.writers.removeValue(forKey: index) ?? [] {
                output.replies.append((token, .result(result ?? .success(.done))))
            }
            state.appendedAt[index] = nil
            if let request = entry?.request { state.inFlight[request] = nil }
            role = .leader(state)
            releaseAppliedReads()
            let neededFrom = state.progress.values.map { $0.match.next }.min() ?? log.lastIndex.next
            log.trimWindow(neededFrom: neededFrom, maxBytes: configuration.maxWindowBytes)
        } else {
            log.trimWindow(neededFrom: log.lastIndex.next, maxBytes: configuration.maxWindowBytes)
        }
    }
}
