import NIOCore
import NIOPosix
import Testing
@testable import Wire

@Suite(.timeLimit(.minutes(1)))
struct EventLoopTaskExecutorTests {
    @Test func aTaskThatPrefersTheLoopRunsOnItBeforeAndAfterEachCall() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            let accepted = try await loopback.acceptedConnection()
            loopback.serve(accepted) { request in
                Frame(type: request.type, requestID: request.requestID, body: request.body)
            }
            let executor = EventLoopTaskExecutor(client.eventLoop)
            let onLoop = try await withTaskExecutorPreference(executor) {
                var everyStepOnLoop = client.eventLoop.inEventLoop
                for round in 0..<50 {
                    let reply = try await client.call(.application(16), body: ByteBuffer(integer: UInt32(round)), timeout: .seconds(5))
                    #expect(reply.body.getInteger(at: reply.body.readerIndex, as: UInt32.self) == UInt32(round))
                    everyStepOnLoop = everyStepOnLoop && client.eventLoop.inEventLoop
                }
                return everyStepOnLoop
            }
            #expect(onLoop)
        }
    }

    @Test func childTasksInheritTheLoopAndAllRunToCompletion() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let results = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<100 {
                    tasks.addTask {
                        await Task.yield()
                        return loop.inEventLoop
                    }
                }
                return await tasks.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0 })
        try await group.shutdownGracefully()
    }
}
