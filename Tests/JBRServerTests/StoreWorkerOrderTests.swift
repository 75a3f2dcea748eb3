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
        let worker = StoreWorker.forTest(fixture, loop: loop) { input in
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

    @Test func aMetadataReadWaitsBehindAnEntryRetriedOnTheWorkerAndSeesIt() async throws {
        let disk = try #require(SmallFileSystem(options: "size=2m"))
        let fixture = try MainStoreFixture(under: disk.path)
        try fixture.makeFile(testGFID(1), "file")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let worker = StoreWorker.forTest(fixture, loop: loop) { _ in }
        let ballast = disk.fill(chunk: 64 << 10)
        let stuck = fixture.entry(.write(gfid: testGFID(1), offset: 0, data: ByteBuffer(repeating: 1, count: 256 << 10)))
        try await loop.submit { worker.apply([LogEntry(position: stuck.position, payload: .operation(stuck.entry))]) }.get()
        // Asked while the write waits on the worker thread: not answered on the loop at once.
        let answer = NIOLockedValueBox<OperationResult?>(nil)
        let answeredAtOnce = try await loop.submit {
            worker.read(.stat(gfid: testGFID(1))) { result in answer.withLockedValue { $0 = result } }
            return answer.withLockedValue { $0 != nil }
        }.get()
        #expect(!answeredAtOnce)
        for file in ballast { try FileManager.default.removeItem(atPath: file) }
        let deadline = ContinuousClock.now + .seconds(10)
        while answer.withLockedValue({ $0 == nil }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(answer.withLockedValue { $0?.attributes?.size } == 256 << 10, "the read saw the write it waited for")
        await worker.shutdown()
        try await group.shutdownGracefully()
    }
}

/// Reads of metadata are answered on the caller's thread at once; file data and listings go to
/// the read thread.
@Suite struct StoreWorkerReadTests {
    @Test func metadataIsReadAtOnceAndDataOnTheReadThread() async throws {
        let fixture = try MainStoreFixture()
        try fixture.makeFile(testGFID(1), "file")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let worker = StoreWorker.forTest(fixture, loop: loop) { _ in }
        let written = fixture.entry(.write(gfid: testGFID(1), offset: 0, data: ByteBuffer(string: "hello")))
        let (metadata, onLoop) = try await loop.submit { () -> (OperationResult?, Bool) in
            worker.apply([LogEntry(position: written.position, payload: .operation(written.entry))])
            let answer = NIOLockedValueBox<(OperationResult, Bool)?>(nil)
            worker.read(.lookup(storeLocation(.root, "file"))) { result in answer.withLockedValue { $0 = (result, loop.inEventLoop) } }
            let got = answer.withLockedValue { $0 }
            return (got?.0, got?.1 ?? false)
        }.get()
        #expect(metadata?.attributes?.size == 5, "answered before read returned, after the apply before it")
        #expect(onLoop)

        let data = NIOLockedValueBox<(OperationResult, Bool)?>(nil)
        try await loop.submit {
            worker.read(.read(gfid: testGFID(1), offset: 0, length: 16)) { result in data.withLockedValue { $0 = (result, loop.inEventLoop) } }
        }.get()
        let deadline = ContinuousClock.now + .seconds(10)
        while data.withLockedValue({ $0 == nil }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let (result, dataOnLoop) = try #require(data.withLockedValue { $0 })
        guard case let .success(.data(bytes, _)) = result else { Issue.record("read answered \(result)"); return }
        #expect(Array(bytes.readableBytesView) == Array("hello".utf8))
        #expect(!dataOnLoop, "file data is read on the read thread")
        await worker.shutdown()
        try await group.shutdownGracefully()
    }
}

extension StoreWorker {
    /// A worker for `fixture`'s store whose reports go to `report`.
    static func forTest(_ fixture: MainStoreFixture, loop: any EventLoop, report: @escaping @Sendable (ReplicaInput) -> Void) -> StoreWorker {
        StoreWorker(
            store: fixture.store, sessions: SessionTable(limit: 16), retention: nil, logger: Logger(label: "test"), applyDuration: Timer(label: "test"), coreLoop: loop,
            report: report)
    }
}
