import JBRCore
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import JBRServer

/// `CoreLoop`: inputs read in one turn of the loop are stepped in one run, `endOfSteps` closes
/// every run, and inputs that the end of a run brings (a journal write done there reports itself
/// durable) are stepped at once, not left waiting for the next message.
@Suite(.timeLimit(.minutes(1)))
struct CoreLoopTests {
    /// Records what the loop asks of it; on the first `endOfSteps` it submits one more input,
    /// as a follower's journal write at the end of a run does.
    final class RecordingShell: ReplicaShell {
        struct Calls {
            var steps = 0
            var endsOfSteps = 0
            var publishes = 0
        }
        let calls = Mutex(Calls())
        let loop = Mutex<CoreLoop?>(nil)
        let feedOnFirstEnd: Bool

        init(feedOnFirstEnd: Bool) { self.feedOnFirstEnd = feedOnFirstEnd }

        func carryOutOnDisk(_ output: ReplicaOutput) async throws {}
        func carryOutAtOnce(_ output: ReplicaOutput) throws { calls.withLock { $0.steps += 1 } }
        func endOfSteps() {
            let first = calls.withLock { calls in
                calls.endsOfSteps += 1
                return calls.endsOfSteps == 1
            }
            if first && feedOnFirstEnd { loop.withLock { $0 }?.submit(.tick(now: Timestamp(seconds: 2))) }
        }
        func publish(_ core: ReplicaCore) { calls.withLock { $0.publishes += 1 } }
        func coreFailed(_ error: any Error) {}
    }

    static func follower() -> ReplicaCore {
        let configuration = ReplicaConfiguration(volumeID: ReplicaSetHarness.volume, id: ReplicaID(1), members: [ReplicaID(0), ReplicaID(1), ReplicaID(2)])
        return ReplicaCore(configuration: configuration, hardState: HardState(term: Term(1)), last: .zero, termStarts: [], seed: 1)
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { return }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func inputsSubmittedInOneTurnAreOneRun() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = CoreLoop(core: Self.follower(), eventLoop: group.next())
        let shell = RecordingShell(feedOnFirstEnd: false)
        loop.start(shell)
        try await loop.eventLoop.submit {
            for second in 1...5 { loop.submit(.tick(now: Timestamp(seconds: Int64(second)))) }
        }.get()
        try await waitUntil { shell.calls.withLock { $0.steps } == 5 }
        // One more turn, so a second run (if there were one) would have ended too.
        try await loop.eventLoop.submit {}.get()
        let calls = shell.calls.withLock { $0 }
        #expect(calls.steps == 5)
        #expect(calls.endsOfSteps == 1, "five inputs of one turn: one run")
        #expect(calls.publishes == 1)
        await loop.stop()
        try await group.shutdownGracefully()
    }

    @Test func anInputTheEndOfARunBringsIsSteppedWithoutAnotherMessage() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = CoreLoop(core: Self.follower(), eventLoop: group.next())
        let shell = RecordingShell(feedOnFirstEnd: true)
        shell.loop.withLock { $0 = loop }
        loop.start(shell)
        loop.submit(.tick(now: Timestamp(seconds: 1)))
        try await waitUntil { shell.calls.withLock { $0.steps } == 2 }
        let calls = shell.calls.withLock { $0 }
        #expect(calls.steps == 2, "the input submitted by endOfSteps was stepped")
        #expect(calls.endsOfSteps == 2, "and its run ended too")
        await loop.stop()
        try await group.shutdownGracefully()
    }
}
