import JBRClient
import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// Deduplication across restarts: the session table persisted with the store's checkpoint.
@Suite struct ReplicaSessionTests {
    static let client = ClientID(bytes: Array(repeating: 0xD7, count: 16))
    static let volume = ReplicaSetHarness.volume

    @Test func aSnapshotRoundTrips() throws {
        var table = SessionTable(limit: 3)
        for sequence in 1...5 as ClosedRange<UInt64> {
            table.record(RequestID(client: Self.client, sequence: sequence), result: .success(.done))
        }
        table.recordApplied(RequestID(client: ClientID(bytes: Array(repeating: 1, count: 16)), sequence: 9), result: nil)
        let decoded = try SessionTable.decode(table.encoded())
        #expect(decoded == table)
        #expect(decoded.lookup(RequestID(client: Self.client, sequence: 1)) == .forgotten)
        #expect(throws: (any Error).self) { try SessionTable.decode(ByteBuffer(bytes: [1, 2, 3])) }
    }

    @Test func aRestartedLeaderAnswersARetryFromThePersistedTable() throws {
        var set = ReplicaSetHarness(size: 1)
        let leader = try set.requireLeader()
        let request = RequestID(client: Self.client, sequence: 1)
        let first = set.write(request, to: leader)
        set.crash(leader)
        set.restart(leader)
        let again = try set.requireLeader()
        let retry = set.write(request, to: again)
        set.tick(2)
        #expect(set.answers[retry] == set.answers[first])
        #expect(set.nodes[leader]!.applications[request] == 1, "the retry did not run again")
    }

    /// A replay that found the request's effect already in place reports no result: a retry
    /// must not run it again, and gets a clear error instead of a made-up answer.
    @Test func aReplayWithAnUnknownResultIsNeverRunAgain() {
        let request = RequestID(client: Self.client, sequence: 4)
        let entry = LogEntry(position: LogPosition(term: Term(1), index: JournalIndex(1)), payload: .operation(OperationEntry(
            request: request, sequencedAt: Timestamp(seconds: 1), operation: .truncate(gfid: GFID(high: 0, low: 7), size: 0))))
        let configuration = ReplicaConfiguration(volumeID: Self.volume, id: ReplicaID(0), members: [ReplicaID(0)])
        var core = ReplicaCore(configuration: configuration, hardState: HardState(term: Term(1)), last: entry.position,
                               termStarts: [(Term(1), JournalIndex(1))], applied: .zero, recent: [entry], seed: 5)
        var toApply: [LogEntry] = []
        for _ in 0..<40 where !core.isLeader { toApply += core.step(.tick(now: Timestamp(seconds: 2))).apply }
        toApply += core.step(.persisted(through: core.lastPosition)).apply
        #expect(toApply.first == entry)
        for applied in toApply { _ = core.step(.applied(index: applied.position.index, result: nil)) }
        let output = core.step(.clientWrite(ClientRequest(id: request, operation: .truncate(gfid: GFID(high: 0, low: 7), size: 0)),
                                            token: ClientToken(1), now: Timestamp(seconds: 3)))
        #expect(output.append.isEmpty, "not appended again")
        #expect(output.replies.map(\.reply) == [.result(SessionTable.resultNotKept)])
        // Its own code, not a refusal's: a client must not take it for "nothing happened" (the
        // nemesis recorded such a rename as failed, and the checker saw it take effect).
        guard case .failure(let error) = SessionTable.resultNotKept else { Issue.record("a failure"); return }
        #expect(error.code == .resultUnknown && error.code.posixErrno == 5)
        #expect(!VolumeClient.isTransient(error.code), "the client does not retry it")
    }

    /// Below the free-space reserve, writes that add data are refused before they are sequenced;
    /// deletes and a retry of a write already taken are not, and writes work again above it.
    @Test func aLeaderWithinItsReserveRefusesNewDataOnly() throws {
        var set = ReplicaSetHarness(size: 3)
        let leader = try set.requireLeader()
        let taken = RequestID(client: Self.client, sequence: 1)
        let first = set.write(taken, to: leader)
        set.deliver()
        set.step(leader, .storageLow(true))
        let lastBefore = set.nodes[leader]!.core.lastPosition

        let refused = set.write(RequestID(client: Self.client, sequence: 2), to: leader)
        guard case let .result(.failure(error)) = set.answers[refused] else {
            Issue.record("a write within the reserve was answered \(String(describing: set.answers[refused]))")
            return
        }
        #expect(error.code == .ENOSPC)
        #expect(set.nodes[leader]!.core.lastPosition == lastBefore, "nothing was sequenced")
        let retry = set.write(taken, to: leader)
        #expect(set.answers[retry] == set.answers[first], "a retry of a write taken before is answered as before")

        let token = ClientToken(900)
        let unlink = FileOperation.unlink(EntryLocation(parent: .root, name: try FileName("f")), gfid: GFID(high: 1, low: 2))
        set.step(leader, .clientWrite(ClientRequest(id: RequestID(client: Self.client, sequence: 3), operation: unlink), token: token, now: Timestamp(seconds: 5)))
        #expect(set.nodes[leader]!.core.lastPosition.index == lastBefore.index.next, "a delete is sequenced")

        set.step(leader, .storageLow(false))
        let later = set.write(RequestID(client: Self.client, sequence: 4), to: leader)
        set.deliver()
        if case .result(.failure) = set.answers[later] { Issue.record("a write above the reserve failed: \(set.answers[later]!)") }
        #expect(set.answers[later] != nil)
    }
}
