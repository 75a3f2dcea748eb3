import JBRCore

extension Journal {
    /// Runs once its index is durable, with nil, or with the journal's failure.
    public typealias DurableAction = @Sendable (JournalError?) -> Void

    /// Runs `action` once record `index` (or, after a truncation below it, the new last record)
    /// is durable: on the writer thread right after the sync, or at once on the caller's thread
    /// if it already is. Actions run one at a time, in the order they were given, so whatever
    /// they send leaves in that order. They must be quick and must not call back into the
    /// journal's appending; each suspension `waitUntilDurable` would cost is saved.
    public func whenDurable(_ index: JournalIndex, _ action: @escaping DurableAction) {
        locked { state in state.durableActions.append((min(index, state.lastPosition.index), action)) }
        deliverReadyActions()
    }

    /// Runs the actions that are ready, in order, unless another thread is doing so already
    /// (it picks these up before it stops). Called without the lock.
    func deliverReadyActions() {
        condition.lock()
        guard !state.deliveringActions else { return condition.unlock() }
        state.deliveringActions = true
        while true {
            let failure = state.failure
            let count = failure != nil ? state.durableActions.count : state.durableActions.prefix { $0.index <= state.durablePosition.index }.count
            guard count > 0 else { break }
            let ready = state.durableActions.prefix(count).map(\.action)
            state.durableActions.removeFirst(count)
            condition.unlock()
            for action in ready { action(failure) }
            condition.lock()
        }
        state.deliveringActions = false
        condition.unlock()
    }
}
