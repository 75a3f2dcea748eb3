import Foundation
import JBRCore
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import JBRServer

/// The store reports applied entries to the core in journal order, even when one entry had to
/// be retried on the worker thread (a full disk) and the next is applied on the core's loop.
@Suite(.enabled(if: SmallFileSystem.canMount, "needs root to mount a small tmpfs"))
struct StoreWorkerOrderTests {
    @Test func anEntryRetriedOnTheWorkerIsReportedBeforeTheNextOneAppliedOnTheLoop() async throws {
        let disk = try #require(SmallFileSystem(options: "size=2m"))
        let fixture = try MainStoreFixture(under: disk.path)
        try fixture.makeFile(testGFID(1), "file")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        // What the core would see, in order; and whether the worker thread has reported yet.
        let seen = NIOLockedValueBox<[UInt64]>([])
        let workerReported = NIOLockedValueBox(false)
        // As `CoreLoop.submit`: at once on the loop, through its task queue from elsewhere.
        let worker = StoreWorker(
            store: fixture.store, sessions: SessionTable(limit: 16), retention: nil, logger: Logger(label: "test"), applyDuration: Timer(label: "test"), coreLoop: loop
        ) { input in
            guard case .applied(let index, _) = input else { return }
            if loop.inEventLoop {
                seen.withLockedValue { $0.append(index.rawValue) }
            } else {
                workerReported.withLockedValue { $0 = true }
                loop.execute { seen.withLockedValue { $0.append(index.rawValue) } }
            }
        }

        let ballast = disk.fill(chunk: 64 << 10)
        let stuck = fixture.entry(.write(gfid: testGFID(1), offset: 0, data: ByteBuffer(repeating: 1, count: 256 << 10)))
        let next = fixture.entry(.truncate(gfid: testGFID(1), size: 10))
        // Fails with ENOSPC on the loop, so the worker retries it.
        try await loop.submit { worker.apply([LogEntry(position: stuck.position, payload: .operation(stuck.entry))]) }.get()
        for file in ballast { try FileManager.default.removeItem(atPath: file) }
        // The loop is held until the worker has applied the entry and queued its report there
        // (and had time to finish its batch); then the next entry comes, as the core hands it.
        let reported = try await loop.submit {
            let deadline = ContinuousClock.now + .seconds(10)
            while !workerReported.withLockedValue({ $0 }) && ContinuousClock.now < deadline { usleep(1000) }
            usleep(50_000)
            worker.apply([LogEntry(position: next.position, payload: .operation(next.entry))])
            return workerReported.withLockedValue { $0 }
        }.get()
        #expect(reported, "the worker thread never reported the entry it retried (did the first apply not fail on the loop?)")

        let deadline = ContinuousClock.now + .seconds(10)
        while seen.withLockedValue({ $0.count }) < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(seen.withLockedValue { $0 } == [stuck.position.index.rawValue, next.position.index.rawValue])
        await worker.shutdown()
        try await group.shutdownGracefully()
    }
}
