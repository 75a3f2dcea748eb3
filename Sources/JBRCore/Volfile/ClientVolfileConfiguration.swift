/// What a client needs from the client volfile, read and checked.
///
/// The graph must have the shape volgen writes (names are free, types and links are not):
///
///     cluster/distribute ── experimental/jbrc (one per replica set) ── protocol/client (one per brick)
///
/// Every set has the same number of bricks, with distinct replica ids below that number, and no
/// brick appears twice in the volume. Every error names the volume and option at fault.
public struct ClientVolfileConfiguration: Hashable, Sendable {
    public struct Brick: Hashable, Sendable {
        public var replicaID: ReplicaID
        public var host: String
        public var port: Int
        public var path: String
        /// Seconds without an answer before the connection is dropped.
        public var pingTimeoutSeconds: Int

        public init(replicaID: ReplicaID, host: String, port: Int, path: String, pingTimeoutSeconds: Int) {
            self.replicaID = replicaID
            self.host = host
            self.port = port
            self.path = path
            self.pingTimeoutSeconds = pingTimeoutSeconds
        }
    }

    public struct ReplicaSet: Hashable, Sendable {
        /// Position among the top volume's subvolumes, counting from 0.
        public var index: Int
        /// In the order listed.
        public var bricks: [Brick]

        public init(index: Int, bricks: [Brick]) {
            self.index = index
            self.bricks = bricks
        }
    }

    /// The name of the top volume: the volume's name.
    public var volumeName: String
    public var volumeID: VolumeID
    public var authSecret: [UInt8]
    public var replicaCount: Int
    public var replicaSets: [ReplicaSet]

    public static let defaultPingTimeoutSeconds = 42
    public static let pingTimeoutRange = 1...3600

    public init(graph: VolfileGraph) throws {
        let top = graph.top
        try top.requireType(VolfileXlator.distribute, role: "the top of a client volfile")
        volumeName = top.name
        volumeID = try top.volumeID(VolfileKey.volumeID)
        authSecret = try top.secret(VolfileKey.authSecret)
        let setVolumes = graph.children(of: top.name)
        guard !setVolumes.isEmpty else { throw top.failure(nil, "has no replica sets as subvolumes") }
        var seen: Set<String> = []
        var sets: [ReplicaSet] = []
        for (index, setVolume) in setVolumes.enumerated() {
            let set = try Self.replicaSet(setVolume, index: index, in: graph)
            if let first = sets.first, set.bricks.count != first.bricks.count {
                throw setVolume.failure(
                    nil, "has \(set.bricks.count) bricks but \(setVolumes[0].name) has \(first.bricks.count); "
                        + "all replica sets have the same size")
            }
            for brick in set.bricks where !seen.insert("\(brick.host.lowercased()) \(brick.path)").inserted {
                throw setVolume.failure(nil, "brick \(brick.host):\(brick.path) appears twice in the volume")
            }
            sets.append(set)
        }
        replicaSets = sets
        replicaCount = sets[0].bricks.count
    }

    private static func replicaSet(_ volume: VolfileVolume, index: Int, in graph: VolfileGraph) throws -> ReplicaSet {
        try volume.requireType(VolfileXlator.replicaClient, role: "a replica set")
        let clients = graph.children(of: volume.name)
        guard (1...VolgenRequest.maxReplicaCount).contains(clients.count) else {
            throw volume.failure(
                nil, "has \(clients.count) bricks; a replica set has 1...\(VolgenRequest.maxReplicaCount)")
        }
        var ids: Set<ReplicaID> = []
        let bricks = try clients.map { client in
            try client.requireType(VolfileXlator.client, role: "a brick of \(volume.name)")
            try client.requireTCPTransport()
            let brick = Brick(
                replicaID: try client.replicaID(VolfileKey.replicaID, count: clients.count),
                host: try client.string(VolfileKey.remoteHost),
                port: try client.port(VolfileKey.remotePort),
                path: try client.absolutePath(VolfileKey.remoteSubvolume),
                pingTimeoutSeconds: try client.integer(
                    VolfileKey.pingTimeout, in: pingTimeoutRange, default: defaultPingTimeoutSeconds))
            guard ids.insert(brick.replicaID).inserted else {
                throw client.failure(
                    VolfileKey.replicaID, "\(brick.replicaID.rawValue) is used twice in \(volume.name)")
            }
            return brick
        }
        return ReplicaSet(index: index, bricks: bricks)
    }
}

extension ClientVolfileConfiguration {
    /// The replica set a brick volfile describes (the brick and its peers), seen as a client
    /// would: for tools handed a brick's volfile that must reach every brick of its set.
    public init(replicaSetOf brick: BrickVolfileConfiguration) {
        // A brick bound to every address is reached on this machine's loopback.
        let ownHost = ["0.0.0.0", "::"].contains(brick.listenHost) ? "127.0.0.1" : brick.listenHost
        let members = [Brick(replicaID: brick.replicaID, host: ownHost, port: brick.listenPort, path: brick.brickPath,
                             pingTimeoutSeconds: Self.defaultPingTimeoutSeconds)]
            + brick.peers.map { Brick(replicaID: $0.replicaID, host: $0.host, port: $0.port, path: $0.path, pingTimeoutSeconds: Self.defaultPingTimeoutSeconds) }
        volumeName = brick.volumeName
        volumeID = brick.volumeID
        authSecret = brick.authSecret
        replicaCount = brick.replicaCount
        replicaSets = [ReplicaSet(index: brick.replicaSet, bricks: members.sorted { $0.replicaID < $1.replicaID })]
    }
}
