import JBRCore
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Wire

/// Real sockets on 127.0.0.1, ports chosen by the system.
@Suite(.timeLimit(.minutes(1)))
struct LoopbackTests {
    @Test func handshakeThenPingBothWays() async throws {
        try await Loopback.run { loopback in
            #expect(loopback.server.port > 0)
            let client = try await loopback.connect()
            #expect(client.peer == PeerIdentity(role: .peer(ReplicaID(1)), name: "brick-1", protocolVersion: 1))
            let accepted = try await loopback.acceptedConnection()
            #expect(accepted.peer == PeerIdentity(role: .client, name: "client-a", protocolVersion: 1))
            try await client.ping(timeout: .seconds(5))
            try await accepted.ping(timeout: .seconds(5))
        }
    }

    @Test func wrongSecretIsRefused() async throws {
        try await Loopback.run { loopback in
            let impostor = WireIdentity(credentials: WireCredentials(volumeID: Fixture.volume, secret: Fixture.wrongSecret), role: .client, name: "impostor")
            await #expect(throws: JBRError(.authenticationFailed, "wrong proof of the volume secret")) {
                _ = try await loopback.connect(identity: impostor)
            }
            // Only authenticated connections reach the application.
            _ = try await loopback.connect()
            #expect(try await loopback.acceptedConnection().peer.name == "client-a")
        }
    }

    @Test func wrongVolumeIsRefused() async throws {
        try await Loopback.run { loopback in
            let stranger = WireIdentity(credentials: WireCredentials(volumeID: Fixture.otherVolume, secret: Fixture.secret), role: .client, name: "stranger")
            let error = await #expect(throws: JBRError.self) { _ = try await loopback.connect(identity: stranger) }
            #expect(error?.code == .wrongVolume)
        }
    }

    @Test func addressOutsideAuthAllowIsRefused() async throws {
        try await Loopback.run(addressFilter: try AddressFilter(allow: "10.*")) { loopback in
            let error = await #expect(throws: JBRError.self) { _ = try await loopback.connect() }
            #expect(error?.code == .authenticationFailed)
            #expect(error?.detail.contains("address not allowed") == true)
        }
    }

    @Test func oversizeFrameGetsFrameTooLargeThenClose() async throws {
        var serverConfiguration = Loopback.configuration
        serverConfiguration.maxBodyBytes = 1024
        var clientConfiguration = Loopback.configuration
        clientConfiguration.maxBodyBytes = 64 << 10
        try await Loopback.run(configuration: serverConfiguration) { loopback in
            let client = try await loopback.connect(configuration: clientConfiguration)
            let accepted = try await loopback.acceptedConnection()
            let error = await #expect(throws: JBRError.self) {
                _ = try await client.call(.application(16), body: ByteBuffer(repeating: 1, count: 2048), timeout: .seconds(5))
            }
            #expect(error?.code == .frameTooLarge)
            #expect(await accepted.waitUntilClosed().code == .frameTooLarge)
            #expect(await client.waitUntilClosed().code == .frameTooLarge)
            let after = await #expect(throws: JBRError.self) { try await client.ping(timeout: .seconds(1)) }
            #expect(after?.code == .frameTooLarge)
        }
    }

    @Test func bodyOverTheLocalLimitIsRefusedBeforeSending() async throws {
        var configuration = Loopback.configuration
        configuration.maxBodyBytes = 1024
        try await Loopback.run(configuration: configuration) { loopback in
            let client = try await loopback.connect(configuration: configuration)
            let error = await #expect(throws: JBRError.self) {
                _ = try await client.call(.application(16), body: ByteBuffer(repeating: 1, count: 1025))
            }
            #expect(error?.code == .frameTooLarge)
            try await client.ping(timeout: .seconds(5))  // still connected
        }
    }

    @Test func tooManyInFlightClosesTheConnection() async throws {
        var configuration = Loopback.configuration
        configuration.maxInFlightRequests = 4
        try await Loopback.run(configuration: configuration) { loopback in
            let client = try await loopback.connect()
            let accepted = try await loopback.acceptedConnection()  // never answers
            let codes = await withTaskGroup(of: JBRError.Code?.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        do {
                            _ = try await client.call(.application(16), body: ByteBuffer(integer: UInt32(index)), timeout: .seconds(10))
                            return nil
                        } catch {
                            return (error as? JBRError)?.code
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.count == 5)
            #expect(codes.allSatisfy { $0 == .tooManyInFlight }, "\(codes)")
            #expect(await accepted.waitUntilClosed().code == .tooManyInFlight)
        }
    }

    @Test func silentClientIsClosedAfterTheHandshakeTimeout() async throws {
        var configuration = Loopback.configuration
        configuration.handshakeTimeout = .milliseconds(200)
        try await Loopback.run(configuration: configuration) { loopback in
            let start = ContinuousClock.now  // before the connect: the server's timer starts after it
            let raw = try await ClientBootstrap(group: loopback.group).connect(host: "127.0.0.1", port: loopback.server.port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
            let watchdog = Task {
                try await Task.sleep(for: .seconds(5))
                raw.channel.close(promise: nil)
            }
            defer { watchdog.cancel() }
            var received = try await raw.executeThenClose { inbound, _ in
                var all = ByteBuffer()
                for try await chunk in inbound { all.writeImmutableBuffer(chunk) }
                return all
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed >= .milliseconds(195) && elapsed < .seconds(4), "closed after \(elapsed)")
            let frame = try #require(try FrameDecoder.decodeFrame(from: &received, maxBodyBytes: 4096))
            #expect(frame.type == .error)
            #expect(frame.decodedError().code == .timedOut)
        }
    }

    @Test func manyConcurrentCallsGetTheirOwnReplies() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            let accepted = try await loopback.acceptedConnection()
            // Replies come back out of order: each request waits a little, longest first.
            loopback.serve(accepted) { request in
                var body = request.body
                let index = body.getInteger(at: body.readerIndex, as: UInt32.self)!
                try await Task.sleep(for: .microseconds(Int(200 - index % 200) * 50))
                body.writeString("-answered")
                return Frame(type: .application(17), requestID: request.requestID, body: body)
            }
            let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let reply = try await client.call(.application(16), body: ByteBuffer(integer: UInt32(index)), timeout: .seconds(10))
                        var expected = ByteBuffer(integer: UInt32(index))
                        expected.writeString("-answered")
                        return reply.type == .application(17) && reply.body == expected
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 0 : 1) }
            }
            #expect(mismatches == 0)
        }
    }

    @Test func callTimesOutAndTheConnectionStaysUsable() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            _ = try await loopback.acceptedConnection()  // never answers
            let start = ContinuousClock.now
            let error = await #expect(throws: JBRError.self) {
                _ = try await client.call(.application(16), timeout: .milliseconds(100))
            }
            #expect(error?.code == .timedOut)
            #expect(ContinuousClock.now - start < .seconds(4))
            try await client.ping(timeout: .seconds(5))
        }
    }

    @Test func pendingCallsFailWhenThePeerCloses() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            let accepted = try await loopback.acceptedConnection()
            let pending = Task { try await client.call(.application(16), timeout: .seconds(10)) }
            for try await _ in accepted.requests { break }  // the request has arrived
            await accepted.close()
            let result = await pending.result
            #expect(throws: JBRError.self) { try result.get() }
            if case .failure(let error as JBRError) = result {
                #expect(error == .connectionClosed("closed by the peer"))
            }
            #expect(await client.waitUntilClosed() == .connectionClosed("closed by the peer"))
        }
    }

    @Test func errorRepliesAndServerInitiatedCalls() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            let accepted = try await loopback.acceptedConnection()
            loopback.serve(accepted) { request in
                .error(JBRError(.ENOENT, "no such file"), requestID: request.requestID)
            }
            let error = await #expect(throws: JBRError.self) { _ = try await client.call(.application(16)) }
            #expect(error == JBRError(.ENOENT, "no such file"))

            // The accepting side calls the dialer over the same connection (even request ids).
            loopback.serve(client) { request in
                Frame(type: .application(18), requestID: request.requestID, body: Fixture.buffer("from the client"))
            }
            let reply = try await accepted.call(.application(16), timeout: .seconds(5))
            #expect(reply.requestID % 2 == 0)
            #expect(reply.body == Fixture.buffer("from the client"))
        }
    }

    @Test func connectionsOverTheLimitAreRefused() async throws {
        var configuration = Loopback.configuration
        configuration.maxConnections = 1
        try await Loopback.run(configuration: configuration) { loopback in
            let first = try await loopback.connect()
            _ = try await loopback.acceptedConnection()
            let error = await #expect(throws: JBRError.self) { _ = try await loopback.connect() }
            #expect(error?.code == .overloaded)
            await first.close()
            // The slot frees once the server has seen the close.
            var connected = false
            for _ in 0..<100 where !connected {
                if (try? await loopback.connect()) != nil { connected = true } else { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(connected)
        }
    }

    @Test func closingTheServerClosesItsConnections() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            _ = try await loopback.acceptedConnection()
            await loopback.server.close()
            #expect(await client.waitUntilClosed().code == .connectionClosed)
            await #expect(throws: JBRError.self) { try await client.ping(timeout: .seconds(1)) }
        }
    }
}

/// A server with a request handler: requests are handled as they arrive, each once, in order,
/// including those that arrive before the connection is handed to the application.
@Suite(.timeLimit(.minutes(1)))
struct RequestHandlerLoopbackTests {
    @Test func everyRequestIsHandledOnceInOrderAndAnswered() async throws {
        let seen = SeenRequests()
        try await Loopback.run(requestHandler: { connection, frame in
            seen.note(frame.body)
            try? connection.sendNow(Frame(type: .clientReply, requestID: frame.requestID, body: frame.body))
        }) { loopback in
            let client = try await loopback.connect()
            // Posted at once after the handshake: the first ones may beat the connection's hand-over.
            var replies: [EventLoopFuture<Frame>] = []
            for number in 0..<200 {
                replies.append(try await client.post(.clientWrite, body: ByteBuffer(string: "request \(number)")))
            }
            for (number, reply) in replies.enumerated() {
                #expect(try await reply.get().body == ByteBuffer(string: "request \(number)"))
            }
            #expect(seen.bodies == (0..<200).map { "request \($0)" }, "each handled once, in the order sent")
            // Wire's own frames still work beside the handler.
            try await client.ping(timeout: .seconds(5))
        }
    }

    @Test func noticesReachTheHandlerInOrderAmongRequestsAndAreNotAnswered() async throws {
        let seen = SeenRequests()
        try await Loopback.run(requestHandler: { connection, frame in
            seen.note(frame.body)
            if frame.requestID != 0 {
                try? connection.sendNow(Frame(type: .clientReply, requestID: frame.requestID, body: frame.body))
            }
        }) { loopback in
            let client = try await loopback.connect()
            // Far more notices than the in-flight limit: they are not counted against it.
            let count = Loopback.configuration.maxInFlightRequests * 4
            for number in 0..<count {
                _ = try client.noticeNow(.clientWrite, body: ByteBuffer(string: "notice \(number)"))
            }
            let reply = try await client.call(.clientWrite, body: ByteBuffer(string: "request"), timeout: .seconds(5))
            #expect(reply.body == ByteBuffer(string: "request"))
            #expect(seen.bodies == (0..<count).map { "notice \($0)" } + ["request"], "each handled once, in the order sent")
        }
    }

    @Test func aNoticeWhereNoneIsTakenClosesTheConnectionWithTheReason() async throws {
        try await Loopback.run { loopback in
            let client = try await loopback.connect()
            _ = try client.noticeNow(.clientWrite, body: ByteBuffer(string: "nobody takes this"))
            let reason = await client.waitUntilClosed()
            #expect(reason.code == .protocolViolation)
        }
    }
}

final class SeenRequests: Sendable {
    private let seen = Mutex<[String]>([])
    func note(_ body: ByteBuffer) { seen.withLock { $0.append(String(buffer: body)) } }
    var bodies: [String] { seen.withLock { $0 } }
}
