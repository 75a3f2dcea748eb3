import JBRCore

extension ReplicaCore {
    mutating func tick() {
        ticks += 1
        electionElapsed += 1
        switch role {
        case .leader:
            heartbeatElapsed += 1
            if heartbeatElapsed >= configuration.heartbeatTicks {
                heartbeatElapsed = 0
                broadcastAppends(heartbeat: true)
            }
            if electionElapsed >= configuration.electionTicks {
                electionElapsed = 0
                checkQuorum()
            }
            timeOutWrites()
        case .follower, .preCandidate, .candidate:
            // A store being resynced is incomplete: it must never lead (it still votes, on its
            // journal, which the resync never shortens).
            if electionElapsed >= randomizedElectionTimeout && resync == nil {
                campaign(preVote: true)
            }
        }
    }

    /// A peer's connection is gone. A leader plans that follower's repair again when it returns.
    /// A follower that lost its leader does not wait out the lease: it forgets the leader and
    /// campaigns in its turn (`lostLeaderStaggerTicks`). Pre-vote keeps this harmless when only
    /// this link broke: a replica still hearing from the leader refuses, and no term is raised.
    mutating func peerLost(_ peer: ReplicaID) {
        if isLeader { return replanOnReturn(of: peer) }
        guard case .follower(let leader) = role, leader == peer, configuration.peers.contains(peer) else { return }
        role = .follower(leader: nil)
        output.events.append(.becameFollower(term: hardState.term, leader: nil))
        let rank = configuration.members.filter { $0 != peer }.firstIndex(of: configuration.id) ?? 0
        let wait = min(1 + rank * configuration.lostLeaderStaggerTicks, configuration.electionTicks)
        electionElapsed = max(electionElapsed, randomizedElectionTimeout - wait)
    }

    /// Check-quorum: a leader that has not heard from a majority in an election timeout steps
    /// down, so a leader cut off from the others stops answering reads and writes.
    mutating func checkQuorum() {
        guard case var .leader(state) = role else { return }
        let active = state.progress.values.filter(\.recentlyActive).count + 1
        for peer in state.progress.keys { state.progress[peer]!.recentlyActive = false }
        role = .leader(state)
        if active < configuration.quorum {
            abandonLeadership(reason: "heard from \(active) of \(configuration.members.count) in an election timeout")
            resetElectionTimeout()
            output.events.append(.becameFollower(term: hardState.term, leader: nil))
        }
    }

    /// Starts a pre-vote (asking without raising the term) or, after one succeeds, a real vote.
    mutating func campaign(preVote: Bool) {
        resetElectionTimeout()
        let self_ = configuration.id
        if preVote {
            role = .preCandidate(granted: [self_], refused: [])
            output.events.append(.becamePreCandidate(term: hardState.term.next))
            for peer in configuration.peers {
                output.sendNow.append(envelope(to: peer, .preVote(last: log.last), term: hardState.term.next))
            }
        } else {
            setHardState(HardState(term: hardState.term.next, votedFor: self_))
            role = .candidate(granted: [self_], refused: [])
            output.events.append(.becameCandidate(term: hardState.term))
            // Sent only once the new term and the self-vote are durable.
            for peer in configuration.peers {
                output.sendAfterPersist.append(envelope(to: peer, .vote(last: log.last)))
            }
        }
        countVotes()
    }

    /// Applies the term rules to every incoming message, then hands it on by kind.
    mutating func receive(_ message: PeerEnvelope) {
        guard message.volumeID == configuration.volumeID, message.to == configuration.id,
            configuration.peers.contains(message.from)
        else {
            output.events.append(.droppedMessage(from: message.from, reason: "not for this replica set"))
            return
        }
        switch message.message {
        case .preVote(let last):
            answerPreVote(from: message.from, term: message.term, last: last)
            return
        case .preVoteResponse(let granted):
            // Responses carry the pre-vote's term when granted, the responder's when refused.
            if !granted, message.term > hardState.term {
                becomeFollower(term: message.term, leader: nil)
                return
            }
            guard case .preCandidate = role else { return }
            // A grant must be for this pre-vote (term + 1), not an older one.
            if granted && message.term != hardState.term.next { return }
            recordVote(from: message.from, granted: granted)
            return
        default:
            break
        }
        if message.term > hardState.term {
            if case .vote = message.message, inLease(), !isLeader {
                // A leader was heard recently: a replica that campaigns now is disruptive
                // (check-quorum lease); refuse without adopting its term.
                output.sendNow.append(envelope(to: message.from, .voteResponse(granted: false)))
                return
            }
            let leader: ReplicaID? = switch message.message {
            case .append, .reportRequest, .resyncRequired: message.from
            default: nil
            }
            becomeFollower(term: message.term, leader: leader)
        } else if message.term < hardState.term {
            // A stale request gets an explicit answer, never silence (architecture rule 1). A
            // stale response is dropped: answering it would hand our term to a replica that
            // refused a disruptive candidate inside its lease, and disrupt it after all.
            switch message.message {
            case .append, .vote, .reportRequest, .resyncRequired: output.sendNow.append(envelope(to: message.from, .staleTerm))
            default: output.events.append(.droppedMessage(from: message.from, reason: "\(message.message.name) of stale term \(message.term)"))
            }
            return
        }
        switch message.message {
        case .vote(let last):
            answerVote(from: message.from, last: last)
        case .voteResponse(let granted):
            if case .candidate = role { recordVote(from: message.from, granted: granted) }
        case let .append(previous, entries, commit, readContext):
            receiveAppend(from: message.from, previous: previous, entries: entries, commit: commit, readContext: readContext)
        case let .appendResponse(success, match, conflict, readContext):
            receiveAppendResponse(from: message.from, success: success, match: match, conflict: conflict, readContext: readContext)
        case .reportRequest:
            answerReportRequest(from: message.from)
        case let .report(followerReport):
            receiveReport(from: message.from, followerReport)
        case let .resyncRequired(firstRetained, readContext):
            receiveResyncRequired(from: message.from, firstRetained: firstRetained, readContext: readContext)
        case let .resyncUnderway(readContext):
            receiveResyncUnderway(from: message.from, readContext: readContext)
        case .staleTerm, .preVote, .preVoteResponse:
            break
        }
    }

    /// Whether this replica heard from a leader less than an election timeout ago.
    func inLease() -> Bool {
        if case let .follower(leader) = role, leader != nil { return electionElapsed < configuration.electionTicks }
        return false
    }

    /// A candidate's journal is at least as up to date as ours when its last entry is of a later
    /// term, or of the same term and not shorter (compare positions, never bare indexes).
    func isUpToDate(_ candidateLast: LogPosition) -> Bool { candidateLast >= log.last }

    mutating func answerPreVote(from peer: ReplicaID, term: Term, last: LogPosition) {
        let grant = term > hardState.term && isUpToDate(last) && !inLease() && !isLeader
        output.sendNow.append(envelope(to: peer, .preVoteResponse(granted: grant), term: grant ? term : hardState.term))
    }

    mutating func answerVote(from peer: ReplicaID, last: LogPosition) {
        let free = hardState.votedFor == nil || hardState.votedFor == peer
        let grant = free && isUpToDate(last) && !isLeader
        if grant {
            setHardState(HardState(term: hardState.term, votedFor: peer))
            resetElectionTimeout()
        }
        // After the vote is durable: a vote must survive a crash, or one term could get two leaders.
        output.sendAfterPersist.append(envelope(to: peer, .voteResponse(granted: grant)))
    }

    mutating func recordVote(from peer: ReplicaID, granted: Bool) {
        switch role {
        case var .preCandidate(yes, no):
            if granted { yes.insert(peer) } else { no.insert(peer) }
            role = .preCandidate(granted: yes, refused: no)
        case var .candidate(yes, no):
            if granted { yes.insert(peer) } else { no.insert(peer) }
            role = .candidate(granted: yes, refused: no)
        default:
            return
        }
        countVotes()
    }

    mutating func countVotes() {
        let quorum = configuration.quorum
        switch role {
        case let .preCandidate(yes, no):
            if yes.count >= quorum {
                campaign(preVote: false)
            } else if no.count > configuration.members.count - quorum {
                becomeFollower(term: hardState.term, leader: nil)
            }
        case let .candidate(yes, no):
            if yes.count >= quorum {
                becomeLeader()
            } else if no.count > configuration.members.count - quorum {
                becomeFollower(term: hardState.term, leader: nil)
            }
        default:
            break
        }
    }

    /// Takes the lead: appends this term's no-op (committing it commits every earlier entry) and
    /// starts replicating.
    mutating func becomeLeader() {
        let next = log.lastIndex.next
        var progress: [ReplicaID: FollowerProgress] = [:]
        for peer in configuration.peers {
            // Each follower's repair is planned from its report before anything is sent to it.
            progress[peer] = FollowerProgress(next: next)
            progress[peer]!.awaitReport()
        }
        var state = LeaderState(progress: progress, termStartIndex: next)
        // Entries already in the log but not applied may be retried by their clients.
        for index in stride(from: log.applied.rawValue + 1, through: log.lastIndex.rawValue, by: 1) {
            if let request = log.entry(at: JournalIndex(index))?.request { state.inFlight[request] = JournalIndex(index) }
        }
        role = .leader(state)
        heartbeatElapsed = 0
        electionElapsed = 0
        output.events.append(.becameLeader(term: hardState.term))
        appendEntry(.termStart(TermStartEntry(leader: configuration.id, sequencedAt: now)))
        broadcastAppends(heartbeat: false)
    }
}
