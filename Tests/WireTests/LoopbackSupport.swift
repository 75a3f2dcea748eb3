import JBRCore
import NIOCore
import NIOPosix
@testable import Wire

/// A `WireServer` on 127.0.0.1 (port chosen by the system) with its own event loop group.
///
/// `Loopback.run` shuts down every connection, the server and the group when the body ends,
/// whether it returned or threw; every wait inside is bounded.
final class Loopback {
    let group: MultiThreadedEventLoopGroup
    let server: WireServer
    private let inbox: ConnectionInbox
    private let collector: Task<Void, Never>
    private var clients: [WireConnection] = []
    private var servers: [Task<Void, Never>] = []

    private init(group: MultiThreadedEventLoopGroup, server: WireServer) {
        self.group = group
        self.server = server
        let inbox = ConnectionInbox()
        self.inbox = inbox
        self.collector = Task {
            for await connection in server.connections { await inbox.append(connection) }
        }
    }

    static func run(
        configuration: WireConfiguration = Loopback.configuration,
        addressFilter: AddressFilter = .allowAll,
        requestHandler: WireConnection.RequestHandler? = nil,
        _ body: (Loopback) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var failure: (any Error)?
        do {
            let server = try await WireServer.bind(
                host: "127.0.0.1",
                port: 0,
                identity: Fixture.serverIdentity,
                addressFilter: addressFilter,
                configuration: configuration,
                requestHandler: requestHandler,
                group: group,
                logger: Fixture.logger
            )
            let loopback = Loopback(group: group, server: server)
            do {
                try await body(loopback)
            } catch {
                failure = error
            }
            await loopback.shutDown()
        } catch {
            failure = error
        }
        try await group.shutdownGracefully()
        if let failure { throw failure }
    }

    static var configuration: WireConfiguration {
        var configuration = WireConfiguration()
        configuration.handshakeTimeout = .seconds(5)
        configuration.defaultCallTimeout = .seconds(5)
        return configuration
    }

    /// Dials the server; the connection is closed by `run` at the end.
    func connect(identity: WireIdentity = Fixture.clientIdentity, configuration: WireConfiguration = Loopback.configuration) async throws -> WireConnection {
        let connection = try await WireClient.connect(
            host: "127.0.0.1",
            port: server.port,
            identity: identity,
            configuration: configuration,
            group: group,
            logger: Fixture.logger
        )
        clients.append(connection)
        return connection
    }

    /// The next authenticated connection on the server side, waiting at most `limit`.
    func acceptedConnection(within limit: Duration = .seconds(5)) async throws -> WireConnection {
        try await inbox.take(within: limit)
    }

    /// Answers every request on `connection` with `answer`, each in its own task, until the
    /// connection closes or `run` ends.
    func serve(_ connection: WireConnection, _ answer: @escaping @Sendable (Frame) async throws -> Frame) {
        servers.append(
            Task {
                await withDiscardingTaskGroup { group in
                    do {
                        for try await request in connection.requests {
                            group.addTask { try? await connection.send(try await answer(request)) }
                        }
                    } catch {}
                }
            }
        )
    }

    private func shutDown() async {
        for task in servers {
            task.cancel()
            await task.value
        }
        for client in clients { await client.close() }
        await server.close()
        await collector.value
    }
}

/// Connections the server yielded, handed out one at a time.
actor ConnectionInbox {
    private var waiting: [WireConnection] = []

    func append(_ connection: WireConnection) { waiting.append(connection) }

    /// Polls every 5 ms: simple, and bounded by `limit`.
    func take(within limit: Duration) async throws -> WireConnection {
        let deadline = ContinuousClock.now + limit
        while waiting.isEmpty {
            guard ContinuousClock.now < deadline else { throw JBRError(.timedOut, "no server connection within \(limit)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return waiting.removeFirst()
    }
}
