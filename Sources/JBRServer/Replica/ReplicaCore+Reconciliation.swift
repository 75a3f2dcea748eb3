import JBRCore
import Reconcile

/// Reconciliation as the leader runs it (architecture: `Reconcile`). On election, and whenever a
/// follower's connection was lost, the leader asks the follower for its report (terms and
/// positions), plans with `ReconciliationPlanner` and carries the follower's directive out:
/// replication resumes right after the agreement point, where the first append cuts the
/// divergent suffix (a truncation below the commit index traps, in `ReplicaLog.truncate`) and
/// the entries that follow replay the missing range, verbatim and bounded by the in-flight
/// limit. A follower past the journal's reach is handed to full resync.
///
/// Client writes wait until this term's no-op commits, that is until a majority has been
/// reconciled: a new leader serves nothing of its term beyond the no-op before then.
extension ReplicaCore {
    /// This replica's report, from what the core knows of its journal.
    public var report: ReplicaReport {
        var ranges: [ReplicaReport.TermRange] = []
        for (offset, start) in log.termStarts.enumerated() where start.first <= log.lastIndex {
            let end = offset + 1 < log.termStarts.count ? log.termStarts[offset + 1].first.previous : log.lastIndex
            ranges.append(ReplicaReport.TermRange(term: start.term, first: start.first, last: end))
        }
        return ReplicaReport(
            replica: configuration.id, termRanges: ranges, last: log.last, commitIndex: log.commit,
            appliedThrough: log.applied, firstRetained: log.floor.index.next)
    }

    /// A follower answers the leader of its term (and takes the question as a heartbeat).
    mutating func answerReportRequest(from leader: ReplicaID) {
        heardFromLeader(leader)
        // An incomplete store has nothing to plan from: it is rebuilt first, then reports.
        if resync != nil { return holdForResync(leader, readContext: 0) }
        output.sendNow.append(envelope(to: leader, .report(report)))
    }

    /// The leader plans a follower's repair from its report and starts carrying it out.
    mutating func receiveReport(from peer: ReplicaID, _ followerReport: ReplicaReport) {
        guard case var .leader(state) = role, var progress = state.progress[peer] else { return }
        progress.recentlyActive = true
        if progress.needsResync && followerReport.replica == peer {
            // After a resync (or an answer that crossed the request): plan from where it is now.
            progress.needsResync = false
            progress.awaitReport()
        }
        // Otherwise a late or repeated answer: the repair it would plan is already under way.
        let planning = progress.mode == .awaitingReport && followerReport.replica == peer
        if planning { plan(peer, from: followerReport, progress: &progress, state: &state) }
        state.progress[peer] = progress
        role = .leader(state)
        // The repair starts now, not at the next heartbeat.
        if planning { sendAppend(to: peer, heartbeat: false) }
    }

    private mutating func plan(_ peer: ReplicaID, from followerReport: ReplicaReport, progress: inout FollowerProgress, state: inout LeaderState) {
        state.reports[peer] = followerReport
        let outcome = ReconciliationPlanner.plan(
            replicaCount: configuration.members.count, reports: [report] + state.reports.sorted { $0.key < $1.key }.map(\.value), leader: configuration.id)
        switch outcome {
        case let .planned(plan):
            guard let directive = plan.directive(for: peer), let agreed = directive.agreesThrough else { return }
            state.plans[peer] = directive
            output.events.append(.planned(follower: peer, directive))
            if directive.actions.contains(where: { if case .fullResync = $0 { true } else { false } }) {
                progress.needsResync = true
                progress.mode = .probe
                output.resyncNeeded.append(peer)
                return
            }
            // Pipelined from the agreement point on: the plan found it, no probing needed.
            progress.mode = .replicate
            progress.next = agreed.next
            progress.probeSent = false
            progress.inflight = []
            progress.inflightBytes = 0
        case let .undecided(_, reason):
            // More reports are needed (a larger set): keep asking at every heartbeat.
            output.events.append(.planDeferred(follower: peer, reason: reason))
        case let .inconsistent(reason):
            // Never guessed around: the follower is left to log matching, which finds the
            // agreement point one term at a time and never cuts a committed entry either.
            output.events.append(.planRefused(follower: peer, reason: reason))
            progress.resetToProbe(next: log.lastIndex.next)
        }
    }

    /// The leader lost its connection to a follower: when it is back, plan its repair anew
    /// (it may have restarted from a different journal). Also what an operator's `recon` asks.
    mutating func replanOnReturn(of peer: ReplicaID) {
        guard case var .leader(state) = role, var progress = state.progress[peer], !progress.needsResync else { return }
        progress.awaitReport()
        state.progress[peer] = progress
        state.reports[peer] = nil
        role = .leader(state)
    }

    // MARK: Writes held until the term's no-op commits

    /// Whether writes must wait: this term's no-op is not committed yet.
    func holdsWrites(_ state: LeaderState) -> Bool { log.commit < state.termStartIndex }

    /// Sequences the writes held for the no-op, in arrival order.
    mutating func releaseHeldWrites() {
        guard case var .leader(state) = role, !holdsWrites(state), !state.heldWrites.isEmpty else { return }
        let held = state.heldWrites
        state.heldWrites = []
        role = .leader(state)
        for write in held { clientWrite(write.request, token: write.token) }
    }
}
