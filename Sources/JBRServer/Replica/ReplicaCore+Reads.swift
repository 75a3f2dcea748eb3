import JBRCore

/// Linearizable reads by read index (etcd's `ReadOnlySafe`): the leader notes its commit index
/// when a read arrives, confirms with a heartbeat round that a majority still follows it, and
/// lets the read go once its store has applied through that index. No clocks are trusted.
extension ReplicaCore {
    mutating func clientRead(_ token: ClientToken) {
        guard case var .leader(state) = role else {
            output.replies.append((token, .result(.failure(.notLeader(hint: leader, term: hardState.term)))))
            return
        }
        if log.commit < state.termStartIndex {
            // A new leader does not know the commit index until its own no-op commits.
            state.readsAwaitingTermCommit.append(token)
            role = .leader(state)
            return
        }
        role = .leader(state)
        startReadRound(tokens: [token])
    }

    /// Reads held until this term's no-op committed go now.
    mutating func startPendingReads() {
        guard case var .leader(state) = role, log.commit >= state.termStartIndex, !state.readsAwaitingTermCommit.isEmpty else { return }
        let tokens = state.readsAwaitingTermCommit
        state.readsAwaitingTermCommit = []
        role = .leader(state)
        startReadRound(tokens: tokens)
    }

    mutating func startReadRound(tokens: [ClientToken]) {
        guard case var .leader(state) = role else { return }
        if configuration.members.count == 1 {
            state.readsAwaitingApply += tokens.map { (log.commit, $0) }
            role = .leader(state)
            releaseAppliedReads()
            return
        }
        // Reads arriving in the same step share a round.
        if let last = state.readRounds.last, last.context == state.nextReadContext - 1, last.readIndex == log.commit,
            output.sendNow.contains(where: { if case let .append(_, _, _, context) = $0.message { return context == last.context } else { return false } })
        {
            state.readRounds[state.readRounds.count - 1].tokens += tokens
            role = .leader(state)
            return
        }
        let context = state.nextReadContext
        state.nextReadContext += 1
        state.readRounds.append(ReadRound(context: context, readIndex: log.commit, tokens: tokens))
        role = .leader(state)
        broadcastAppends(heartbeat: true, readContext: context)
    }

    /// Rounds acknowledged by a majority (an acknowledgement of context c confirms every round
    /// up to c: it was sent after all of them began) wait only for apply.
    mutating func confirmReads() {
        guard case var .leader(state) = role, !state.readRounds.isEmpty else { return }
        let acknowledged = state.progress.values.map(\.readContextAcked).sorted(by: >)
        // With the leader itself, quorum - 1 followers must have acknowledged.
        let confirmedThrough = configuration.quorum >= 2 ? acknowledged[configuration.quorum - 2] : UInt64.max
        while let round = state.readRounds.first, round.context <= confirmedThrough {
            state.readRounds.removeFirst()
            state.readsAwaitingApply += round.tokens.map { (round.readIndex, $0) }
        }
        role = .leader(state)
        releaseAppliedReads()
    }

    mutating func releaseAppliedReads() {
        guard case var .leader(state) = role, !state.readsAwaitingApply.isEmpty else { return }
        let ready = state.readsAwaitingApply.filter { $0.index <= log.applied }
        guard !ready.isEmpty else { return }
        state.readsAwaitingApply.removeAll { $0.index <= log.applied }
        role = .leader(state)
        for (_, token) in ready { output.replies.append((token, .readReady)) }
    }
}
