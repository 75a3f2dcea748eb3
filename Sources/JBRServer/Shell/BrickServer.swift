import Foundation
import JBRCore
import Journal
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Wire

/// A brick: the replica core fed by its shell (journal, main store, sockets, timers).
///
/// The brick's one event loop serves its connections (clients' and peers', both directions),
/// its tick timer and the core (`CoreLoop`), which carries out each output in the order it
/// prescribes; the journal's writer thread and the store's thread feed it inputs too. `run()`
/// serves until its task is cancelled, then stops cleanly: no new work, in-flight appends made
/// durable, the store checkpointed, connections closed.
public final class BrickServer: Sendable {
    public let configuration: BrickVolfileConfiguration
    let replica: ReplicaConfiguration
    let journal: Journal
    let stateDirectory: HardStateDirectory
    let storeWorker: StoreWorker
    let server: WireServer
    /// Routes the server's requests here; detached when the brick stops.
    let router: RequestRouter
    let peers: PeerLinks
    let clients = ClientRequests()
    let logger: Logger
    let tickInterval: Duration
    let eventLoopGroup: MultiThreadedEventLoopGroup
    let core: CoreLoop
    let commitTimer: NIOLoopBoundBox<CommitTimer>
    let endOfRun: NIOLoopBoundBox<EndOfRun>
    /// A failure the brick cannot serve through (its journal cannot write); it ends the brick.
    let failures: AsyncStream<any Error>.Continuation
    let failureStream: AsyncStream<any Error>
    /// The core as the last run of steps left it, for `status`.
    let status: Mutex<BrickStatus>
    let metrics: BrickMetrics
    let metricsEndpoint: MetricsEndpoint?
    let storageReserve: StorageReserve
    /// The manifests offered to followers being resynced (as leader).
    let resyncOffers = ResyncOffers(hold: BrickServer.resyncOfferHold)
    /// The resync being pulled (as a follower whose store is rebuilt), if any.
    let resyncTask = Mutex<Task<Void, Never>?>(nil)
    /// How far that resync has come, for `status`.
    let resyncProgress = ResyncPullProgress()

    /// The port clients and peers reach this brick on.
    public var port: Int { server.port }

    /// Opens the brick (journal recovery, store, replica state) and starts listening.
    ///
    /// - Parameter metricsExport: renders the process's metrics as Prometheus text; with the
    ///   volfile's `metrics.listen-port`, the brick serves it at `GET /metrics`.
    public static func open(
        _ configuration: BrickVolfileConfiguration, metricsExport: (@Sendable () -> [UInt8])? = nil, logger: Logger
    ) async throws -> BrickServer {
        var logger = logger
        logger[metadataKey: "repl.replica"] = "\(configuration.replicaID)"
        let store = try Self.openStore(configuration.brickPath)
        let storageReserve = try StorageReserve(brickPath: configuration.brickPath, percent: configuration.storageReservePercent)
        var journalConfiguration = JournalConfiguration(directory: configuration.journal.logPath, volumeID: configuration.volumeID)
        journalConfiguration.segmentBytes = configuration.journal.segmentBytes
        journalConfiguration.compression = configuration.journal.compression == .lz4
        let journal = try Journal.open(journalConfiguration)
        if let torn = journal.recoveryReport.tornTail {
            logger.warning("journal tail was torn and cut", metadata: ["journal.segment": "\(torn.segment)", "journal.offset": "\(torn.offset)"])
        }
        let hardState = try HardStateFile.load(in: store.state) ?? HardState(term: journal.lastPosition.term)
        var replica = ReplicaConfiguration(
            volumeID: configuration.volumeID, id: configuration.replicaID,
            members: (configuration.peers.map(\.replicaID) + [configuration.replicaID]).sorted())
        replica.electionTicks = configuration.timing.electionTicks
        replica.heartbeatTicks = configuration.timing.heartbeatTicks
        let sessions = try SessionsFile.load(in: store.state, limit: replica.resultsPerClient)
        // A resync cut short left an incomplete store: emptied again, and nothing is applied
        // to it (the core asks the leader for a new resync as soon as it hears from one).
        let resyncInterrupted = try store.resyncInterrupted
        if resyncInterrupted {
            logger.warning("a full resync was cut short; the store is emptied and will be resynced")
            try store.emptyForResync()
        }
        let restored = try Self.restoreCore(
            replica, hardState: hardState, journal: journal, applied: resyncInterrupted ? journal.lastPosition : store.appliedThrough,
            sessions: sessions, resyncInterrupted: resyncInterrupted)
        // One loop thread per brick: a message that reaches the core needs no hand-off, and a
        // message the core sends is written at once (its connection is on the same loop).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let core = CoreLoop(core: restored, eventLoop: group.next())
        let (failureStream, failures) = AsyncStream.makeStream(of: (any Error).self)
        guard let secret = VolumeSecret(bytes: configuration.authSecret) else {
            throw JBRError(.EINVAL, "auth.secret is shorter than \(VolumeSecret.minimumBytes) bytes")
        }
        let identity = WireIdentity(
            credentials: WireCredentials(volumeID: configuration.volumeID, secret: secret),
            role: .peer(configuration.replicaID), name: "\(configuration.volumeName)-\(configuration.replicaID)")
        let filter = try AddressFilter(allow: configuration.authAllow.joined(separator: ","))
        let router = RequestRouter()
        let server = try await WireServer.bind(
            host: configuration.listenHost, port: configuration.listenPort, identity: identity, addressFilter: filter,
            requestHandler: { connection, frame in router.route(frame, on: connection) }, group: group, logger: logger)
        let peers = PeerLinks(
            peers: configuration.peers.map { PeerLinks.Peer(id: $0.replicaID, host: $0.host, port: $0.port) }, identity: identity,
            group: group, logger: logger, connectionLost: { core.submit(.peerLost($0)) })
        let metrics = BrickMetrics(replica: configuration.replicaID)
        let retention = JournalRetention(
            journal: journal, retentionBytes: configuration.journal.retentionBytes, logger: logger, trimmed: { core.submit(.journalTrimmed(before: $0)) })
        let storeWorker = StoreWorker(store: store, sessions: sessions, retention: retention, logger: logger, applyDuration: metrics.applyDuration, coreLoop: core.eventLoop) {
            core.submit($0)
        }
        var endpoint: MetricsEndpoint?
        if let port = configuration.metricsPort, let metricsExport {
            do {
                endpoint = try await MetricsEndpoint.bind(host: configuration.listenHost, port: port, export: metricsExport)
            } catch {
                // Metrics are not worth refusing to serve data over.
                logger.warning("metrics endpoint unavailable", metadata: ["metrics.port": "\(port)", "error": "\(error)"])
            }
        }
        logger.info("brick open", metadata: [
            "repl.term": "\(hardState.term)", "repl.last": "\(journal.lastPosition)", "repl.applied": "\(store.appliedThrough)",
            "wire.port": "\(server.port)",
        ])
        let brick = BrickServer(
            configuration: configuration, replica: replica, journal: journal, stateDirectory: HardStateDirectory(store.state), storeWorker: storeWorker,
            server: server, router: router, peers: peers, logger: logger,
            tickInterval: .milliseconds(Int64(configuration.timing.tickIntervalMilliseconds)),
            eventLoopGroup: group, core: core, restored: restored, failures: (failures, failureStream), metrics: metrics,
            metricsEndpoint: endpoint, storageReserve: storageReserve)
        router.attach(brick)
        core.start(brick)
        return brick
    }

    private init(
        configuration: BrickVolfileConfiguration, replica: ReplicaConfiguration, journal: Journal, stateDirectory: HardStateDirectory,
        storeWorker: StoreWorker, server: WireServer, router: RequestRouter, peers: PeerLinks, logger: Logger, tickInterval: Duration,
        eventLoopGroup: MultiThreadedEventLoopGroup, core: CoreLoop, restored: ReplicaCore,
        failures: (AsyncStream<any Error>.Continuation, AsyncStream<any Error>),
        metrics: BrickMetrics, metricsEndpoint: MetricsEndpoint?, storageReserve: StorageReserve
    ) {
        self.configuration = configuration
        self.replica = replica
        self.journal = journal
        self.stateDirectory = stateDirectory
        self.storeWorker = storeWorker
        self.server = server
        self.router = router
        self.peers = peers
        self.logger = logger
        self.tickInterval = tickInterval
        self.eventLoopGroup = eventLoopGroup
        self.core = core
        self.commitTimer = .makeBoxSendingValue(CommitTimer(), eventLoop: core.eventLoop)
        self.endOfRun = .makeBoxSendingValue(EndOfRun(), eventLoop: core.eventLoop)
        (self.failures, self.failureStream) = failures
        self.status = Mutex(Self.status(of: restored, journalBytes: UInt64(journal.diskBytes)))
        self.metrics = metrics
        self.metricsEndpoint = metricsEndpoint
        self.storageReserve = storageReserve
    }

    /// Where the brick serves metrics, if it does.
    public var metricsPort: Int? { metricsEndpoint?.port }

    /// Opens the brick's store, creating the brick directory and store on first start.
    static func openStore(_ brick: String) throws -> MainStore {
        do {
            return try MainStore.open(brick: brick)
        } catch let failure where failure.error.code == .ENOENT {
            try FileManager.default.createDirectory(atPath: brick, withIntermediateDirectories: true)
            return try MainStore.create(brick: brick)
        }
    }

    /// The core as the journal and store left it: entries after the applied mark are handed back.
    static func restoreCore(
        _ replica: ReplicaConfiguration, hardState: HardState, journal: Journal, applied: LogPosition, sessions: SessionTable, resyncInterrupted: Bool = false
    ) throws -> ReplicaCore {
        let last = journal.lastPosition
        guard applied.index <= last.index else {
            throw JBRError(.EIO, "the store has applied through \(applied), beyond the journal's end \(last)")
        }
        let records = applied.index < last.index ? try journal.records(from: applied.index.next, through: last.index) : []
        let recent = try records.compactMap(JournalEntries.entry(from:))
        let table = journal.termTable
        return ReplicaCore(
            configuration: replica, hardState: hardState.term >= last.term ? hardState : HardState(term: last.term), last: last,
            termStarts: table.starts.map { ($0.term, $0.firstIndex) }, floor: table.trimmedThrough, applied: applied.index,
            recent: recent, sessions: sessions, resyncInterrupted: resyncInterrupted, seed: UInt64.random(in: 0...UInt64.max))
    }

    static func status(of core: ReplicaCore, journalBytes: UInt64) -> BrickStatus {
        BrickStatus(
            replicaID: core.configuration.id, role: core.role.name, term: core.term, leader: core.leader, last: core.lastPosition,
            persisted: core.persistedPosition, commit: core.commitIndex, applied: core.appliedIndex, journalBytes: journalBytes,
            followers: core.followerRepairs, resync: core.resync.map { ResyncProgress(phase: .waiting, source: $0.askedOf) })
    }
}
