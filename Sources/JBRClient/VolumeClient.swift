import JBRCore
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Wire

/// A client of a JBR volume: finds the leader of the replica set from any brick, routes every
/// operation to it, and on "not leader", a lost connection or a timeout finds the new leader and
/// retries with backoff and the same request id (the bricks deduplicate it), until the caller's
/// deadline.
public final class VolumeClient: Sendable {
    public let configuration: ClientVolfileConfiguration
    let identity: WireIdentity
    let clientID: ClientID
    let logger: Logger
    /// How long an operation may take, retries included, unless the call says otherwise.
    public let defaultTimeout: Duration
    /// How long one attempt waits for a brick before trying again (elsewhere, if it fails over).
    /// A paused leader keeps its connections open; without this a client would wait on it for
    /// the whole deadline. Retrying an attempt still in flight is safe: the request id is the same.
    public let attemptTimeout: Duration
    /// The event loop every connection of this client runs on, as a task executor: a caller that
    /// runs its tasks on it (`withTaskExecutorPreference(client.executor)`) sends and is answered
    /// without waking another thread. Such a task must not block.
    public let executor: EventLoopTaskExecutor
    private let nextSequence = Atomic<UInt64>(1)
    private let state = Mutex<(leader: Int?, connections: [Int: WireConnection])>((nil, [:]))

    /// The bricks of the (first) replica set, in replica-id order.
    var bricks: [ClientVolfileConfiguration.Brick] { configuration.replicaSets[0].bricks }

    public init(
        configuration: ClientVolfileConfiguration, name: String = "jbr-client", defaultTimeout: Duration = .seconds(30),
        attemptTimeout: Duration = .seconds(3), logger: Logger = Logger(label: "jbr-client")
    ) throws {
        guard let secret = VolumeSecret(bytes: configuration.authSecret) else {
            throw JBRError(.EINVAL, "auth.secret is shorter than \(VolumeSecret.minimumBytes) bytes")
        }
        guard configuration.replicaSets.count == 1 else {
            throw JBRError(.EOPNOTSUPP, "volumes of \(configuration.replicaSets.count) replica sets are not supported yet (one replica set per volume)")
        }
        self.configuration = configuration
        self.identity = WireIdentity(credentials: WireCredentials(volumeID: configuration.volumeID, secret: secret), role: .client, name: name)
        var generator = SystemRandomNumberGenerator()
        self.clientID = ClientID.random(using: &generator)
        self.logger = logger
        self.defaultTimeout = defaultTimeout
        self.attemptTimeout = attemptTimeout
        self.executor = EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton.next())
    }

    /// Runs a modifying operation exactly once, however often it must be retried.
    public func write(_ operation: FileOperation, timeout: Duration? = nil) async throws -> OperationReply {
        let id = RequestID(client: clientID, sequence: nextSequence.wrappingAdd(1, ordering: .relaxed).oldValue)
        var body = ByteBuffer()
        ClientRequest(id: id, operation: operation).encode(to: &body)
        return try await perform(.clientWrite, body: body, what: operation.name, timeout: timeout ?? defaultTimeout)
    }

    /// Runs a read on the leader (linearizable).
    public func read(_ operation: ReadOperation, timeout: Duration? = nil) async throws -> OperationReply {
        var body = ByteBuffer()
        ReadRequest(operation: operation).encode(to: &body)
        return try await perform(.clientRead, body: body, what: operation.name, timeout: timeout ?? defaultTimeout)
    }

    /// Each brick's status, or why it could not be asked.
    public func status(timeout: Duration = .seconds(3)) async -> [(brick: ClientVolfileConfiguration.Brick, status: Result<BrickStatus, any Error>)] {
        await ask(.status, timeout: timeout).map { brick, reply in
            (brick, reply.flatMap { body in
                var body = body
                return Result { try BrickStatus(from: &body) }
            })
        }
    }

    /// Sends `type` (an empty request) to every brick, one after another in the order given
    /// (replica-id order by default), and returns each reply's body, or why the brick could not
    /// answer. For questions asked of every brick: status, reconciliation reports.
    public func ask(
        _ type: MessageType, body: ByteBuffer = ByteBuffer(), order: [ReplicaID]? = nil, timeout: Duration = .seconds(3)
    ) async -> [(brick: ClientVolfileConfiguration.Brick, reply: Result<ByteBuffer, any Error>)] {
        var results: [(ClientVolfileConfiguration.Brick, Result<ByteBuffer, any Error>)] = []
        let positions = order.map { ids in ids.compactMap { id in bricks.firstIndex { $0.replicaID == id } } } ?? Array(bricks.indices)
        for position in positions {
            let brick = bricks[position]
            do {
                let connection = try await connection(to: position)
                results.append((brick, .success(try await connection.call(type, body: body, timeout: timeout).body)))
            } catch {
                drop(position)
                results.append((brick, .failure(error)))
            }
        }
        return results
    }

    public func close() async {
        let connections = state.withLock { state in
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for connection in connections { await connection.close() }
    }

    // MARK: Routing and retries

    private func perform(_ type: MessageType, body: ByteBuffer, what: String, timeout: Duration) async throws -> OperationReply {
        let deadline = ContinuousClock.now + timeout
        var target = state.withLock { $0.leader } ?? 0
        var backoff = Duration.milliseconds(10)
        // Built only when it is thrown: formatting it costs more than a fast reply's whole turn.
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                let connection = try await connection(to: target)
                let remaining = deadline - ContinuousClock.now
                var reply = try await connection.call(type, body: body, timeout: min(remaining, attemptTimeout)).body
                let result = try ClientReply(from: &reply).result
                switch result {
                case let .success(reply):
                    state.withLock { $0.leader = target }
                    return reply
                case let .failure(error) where error.code == .notLeader:
                    lastError = error
                    if let hint = error.leaderHint, let position = bricks.firstIndex(where: { $0.replicaID == hint }), position != target {
                        target = position
                        continue
                    }
                    target = (target + 1) % bricks.count
                case let .failure(error) where Self.isTransient(error.code):
                    lastError = error
                default:
                    if case let .failure(error) = result { throw error }
                }
            } catch let error as JBRError where !Self.isTransient(error.code) && error.code != .notLeader {
                // The operation's own answer (ENOENT, EEXIST …), or a refusal no retry cures
                // (authentication failed, wrong volume, a frame too large).
                throw error
            } catch {
                // The brick is unreachable or went away: try the next one.
                lastError = error
                drop(target)
                target = (target + 1) % bricks.count
            }
            try await Task.sleep(for: min(backoff, max(.zero, deadline - ContinuousClock.now)))
            // Short: a leader change is over in well under a second (a tenth when the old
            // leader's process died and closed its connections), and a retry is cheap.
            backoff = min(backoff * 2, .milliseconds(50))
        }
        // Socket errors say little to a user: name the operation and the deadline.
        guard let lastError else { throw JBRError(.timedOut, "\(what) did not complete within \(timeout)") }
        if let error = lastError as? JBRError { throw error }
        throw JBRError(.timedOut, "\(what) did not complete within \(timeout); last failure: \(lastError)")
    }

    /// Errors a retry may cure: a leader change, a full queue, a lost connection.
    public static func isTransient(_ code: JBRError.Code) -> Bool {
        [.noQuorum, .overloaded, .staleTerm, .shuttingDown, .timedOut, .connectionClosed, .tooManyInFlight].contains(code)
    }

    private func connection(to position: Int) async throws -> WireConnection {
        if let existing = state.withLock({ $0.connections[position] }) { return existing }
        let brick = bricks[position]
        // A paused brick accepts the connection but never answers the handshake: waiting for it
        // must cost one attempt, not the wire's 10 s handshake limit (more than a whole
        // operation's deadline may be).
        var wire = WireConfiguration()
        wire.handshakeTimeout = min(wire.handshakeTimeout, attemptTimeout)
        let connection = try await WireClient.connect(host: brick.host, port: brick.port, identity: identity, configuration: wire, group: executor.eventLoop, logger: logger)
        let winner = state.withLock { state -> WireConnection in
            if let raced = state.connections[position] { return raced }
            state.connections[position] = connection
            return connection
        }
        if winner !== connection { await connection.close() }
        return winner
    }

    private func drop(_ position: Int) {
        let dropped = state.withLock { state in
            if state.leader == position { state.leader = nil }
            return state.connections.removeValue(forKey: position)
        }
        if let dropped { Task { await dropped.close() } }
    }
}
