import JBRCore
import NIOCore

/// The simulated clients: operations started, attempts routed and retried, answers checked.
extension ReplicaSetSimulation {
    mutating func startOperation(_ number: Int) {
        guard now < options.faultyMicroseconds else { return }
        let read = random.next() % UInt64(options.readEvery) == 0
        let operation: SimulatedClient.Operation = read ? .read : .write(clients[number].nextRequest())
        clients[number].pending = SimulatedClient.Pending(
            operation: operation, invokedAt: now, deadline: now + options.operationMicroseconds, target: clients[number].believedLeader)
        note("client \(number) starts \(operation)")
        attempt(number)
    }

    mutating func attempt(_ number: Int) {
        guard var pending = clients[number].pending else { return }
        let token = ClientToken(nextToken)
        nextToken += 1
        pending.token = token
        clients[number].pending = pending
        let write: ClientRequest?
        switch pending.operation {
        case let .write(request):
            // What a client writes to one file; the core neither reads nor interprets it.
            write = ClientRequest(id: request, operation: .write(gfid: GFID(high: 7, low: UInt64(number) + 1), offset: 0, data: ByteBuffer(integer: request.sequence)))
        case .read:
            write = nil
            // Reads go anywhere when bricks serve them locally (the sabotage that shows stale reads).
            if options.sabotage == .servesReadsLocally { pending.target = members[Int(random.next() % UInt64(members.count))] }
        }
        clients[number].pending = pending
        tokenOwners[token] = (number, pending.invokedAt)
        let target = pending.target
        send(.request(target, life: bricks[index(target)].life, client: number, token: token, write: write), delay: networkDelay())
        send(.attemptExpired(client: number, token: token), delay: options.attemptMicroseconds)
    }

    /// Another attempt at the brick after the current target (or the hinted one), unless the
    /// operation is past its deadline: then its outcome stays unknown.
    mutating func retry(_ number: Int, hint: ReplicaID? = nil) {
        guard var pending = clients[number].pending else { return }
        guard now < pending.deadline else {
            statistics.operationsGivenUp += 1
            note("client \(number) gives up \(pending.operation)")
            clients[number].pending = nil
            return send(.clientStarts(number), delay: thinkTime())
        }
        statistics.retries += 1
        pending.target = hint ?? ReplicaID((pending.target.rawValue + 1) % UInt32(members.count))
        pending.token = ClientToken(0)  // no attempt is live until the next one leaves
        clients[number].pending = pending
        // A little backoff, as the real client's.
        send(.clientRetries(number, invokedAt: pending.invokedAt), delay: 5_000)
    }

    mutating func thinkTime() -> Int64 { 10_000 + Int64(random.next() % 40_000) }

    /// A brick answers a token: a read is checked here, where it is served.
    mutating func reply(_ answer: ClientAnswer, to token: ClientToken, from id: ReplicaID) throws {
        guard let owner = tokenOwners[token] else { return }
        if case .readReady = answer {
            let needed = history.acknowledgedIndex(before: owner.invokedAt)
            let applied = bricks[index(id)].applied.count
            if UInt64(applied) < needed.rawValue {
                try fail("stale-read", "\(id) served a read invoked at \(SimulatedFault.format(owner.invokedAt)) from \(applied) applied entries; a write acknowledged before it is at \(needed)")
            }
        }
        send(.answer(client: owner.client, token: token, answer), delay: networkDelay())
    }

    mutating func answered(_ number: Int, token: ClientToken, _ answer: ClientAnswer) throws {
        guard let owner = tokenOwners.removeValue(forKey: token), let pending = clients[number].pending, pending.invokedAt == owner.invokedAt else { return }
        switch (pending.operation, answer) {
        case let (.write(request), .result(.success(reply))):
            guard case let .written(count, _) = reply else { try fail("write-answer", "\(request) was answered \(reply)") }
            let index = JournalIndex(UInt64(count))
            guard committedIndexOfRequest[request] == index else {
                try fail("acknowledged-not-committed", "\(request) was acknowledged at \(index), but the set committed it at \(committedIndexOfRequest[request].map { "\($0)" } ?? "no index")")
            }
            history.acknowledge(request, index: index, completedAt: now)
            statistics.writesAcknowledged += 1
            note("client \(number) acknowledged \(request) at \(index)")
            clients[number].believedLeader = pending.target
        case (.read, .readReady):
            statistics.readsChecked += 1
            clients[number].believedLeader = pending.target
        case let (_, .result(.failure(error))):
            return retry(number, hint: error.code == .notLeader ? error.leaderHint : nil)
        default:
            try fail("client-answer", "\(pending.operation) was answered \(answer)")
        }
        clients[number].pending = nil
        send(.clientStarts(number), delay: thinkTime())
    }
}
