/// What a brick server needs from its volfile, read and checked.
///
/// The graph must have the shape volgen writes (names are free, types and links are not):
///
///     protocol/server ── experimental/jbr ─┬─ experimental/fdl ── storage/posix
///                                          └─ protocol/client  (one per peer)
///
/// Every error names the volume and option at fault.
public struct BrickVolfileConfiguration: Hashable, Sendable {
    /// Another brick of the same replica set.
    public struct Peer: Hashable, Sendable {
        public var replicaID: ReplicaID
        public var host: String
        public var port: Int
        public var path: String

        public init(replicaID: ReplicaID, host: String, port: Int, path: String) {
            self.replicaID = replicaID
            self.host = host
            self.port = port
            self.path = path
        }
    }

    public var volumeName: String
    public var volumeID: VolumeID
    /// The brick's directory (the main store).
    public var brickPath: String
    /// Percent of the brick's file system (space and inodes) that writes adding data may not
    /// use, so deletes and the journal still have room: `option reserve` on the store (as
    /// GlusterFS's `storage.reserve`), default 1; 0 turns it off.
    public var storageReservePercent: Int
    public var replicaID: ReplicaID
    public var replicaCount: Int
    /// Index of this brick's replica set within the volume.
    public var replicaSet: Int
    public var listenHost: String
    public var listenPort: Int
    /// Where the brick serves Prometheus metrics, if anywhere.
    public var metricsPort: Int?
    /// The other bricks of the set, in the order listed; `replicaCount - 1` of them.
    public var peers: [Peer]
    public var journal: JournalVolfileOptions
    public var timing: ReplicaTimingVolfileOptions
    /// The volume's shared secret.
    public var authSecret: [UInt8]
    /// Address patterns allowed to connect, as written (`*`, `192.168.1.*`, …): the brick's own
    /// `auth.addr.PATH.allow` if present, else `auth.allow`.
    public var authAllow: [String]

    public init(graph: VolfileGraph) throws {
        let server = graph.top
        try server.requireType(VolfileXlator.server, role: "the top of a brick volfile")
        let replica = try Self.onlyChild(of: server, in: graph)
        try replica.requireType(VolfileXlator.replica, role: "the replica under the server")
        let children = graph.children(of: replica.name)
        guard let journalVolume = children.first else {
            throw replica.failure(nil, "has no subvolumes; the first must be the journal")
        }
        try journalVolume.requireType(VolfileXlator.journal, role: "the first subvolume of \(replica.name)")
        let posix = try Self.onlyChild(of: journalVolume, in: graph)
        try posix.requireType(VolfileXlator.posix, role: "the store under the journal")

        brickPath = try posix.absolutePath(VolfileKey.directory)
        storageReservePercent = try posix.integer(VolfileKey.reserve, in: 0...50, default: 1)
        volumeID = try posix.volumeID(VolfileKey.volumeID)
        let replicaVolumeID = try replica.volumeID(VolfileKey.volumeID)
        guard replicaVolumeID == volumeID else {
            throw replica.failure(
                VolfileKey.volumeID, "\(replicaVolumeID) differs from \(volumeID) on \(posix.name)")
        }
        volumeName = try replica.string(VolfileKey.volumeName)
        replicaCount = try replica.integer(VolfileKey.replicaCount, in: 1...VolgenRequest.maxReplicaCount)
        replicaID = try replica.replicaID(VolfileKey.replicaID, count: replicaCount)
        replicaSet = try replica.integer(VolfileKey.replicaSet, in: 0...(VolgenRequest.maxBricks - 1))
        timing = try ReplicaTimingVolfileOptions(volume: replica)
        journal = try JournalVolfileOptions(volume: journalVolume, brickPath: brickPath)
        peers = try Self.peers(children.dropFirst(), of: replica, own: replicaID, count: replicaCount)

        try server.requireTCPTransport()
        listenPort = try server.port(VolfileKey.listenPort)
        listenHost = try server.string(VolfileKey.bindAddress)
        if server.options[VolfileKey.metricsPort] != nil {
            let port = try server.integer(VolfileKey.metricsPort, in: 0...65535)
            metricsPort = port == 0 ? nil : port
        }
        authSecret = try server.secret(VolfileKey.authSecret)
        authAllow = try Self.allowPatterns(server, brickPath: brickPath)
    }

    private static func onlyChild(of volume: VolfileVolume, in graph: VolfileGraph) throws -> VolfileVolume {
        let children = graph.children(of: volume.name)
        guard children.count == 1, let child = children.first else {
            throw volume.failure(nil, "must have exactly one subvolume, has \(children.count)")
        }
        return child
    }

    private static func peers(
        _ clients: ArraySlice<VolfileVolume>, of replica: VolfileVolume, own: ReplicaID, count: Int
    ) throws -> [Peer] {
        guard clients.count == count - 1 else {
            throw replica.failure(
                nil, "replica-count is \(count), so it needs \(count - 1) peer clients after the journal; "
                    + "it has \(clients.count)")
        }
        var seen: Set<ReplicaID> = [own]
        return try clients.map { client in
            try client.requireType(VolfileXlator.client, role: "a peer of \(replica.name)")
            try client.requireTCPTransport()
            let peer = Peer(
                replicaID: try client.replicaID(VolfileKey.replicaID, count: count),
                host: try client.string(VolfileKey.remoteHost),
                port: try client.port(VolfileKey.remotePort),
                path: try client.absolutePath(VolfileKey.remoteSubvolume))
            guard seen.insert(peer.replicaID).inserted else {
                throw client.failure(
                    VolfileKey.replicaID,
                    "\(peer.replicaID.rawValue) is already taken by this brick or another peer")
            }
            return peer
        }
    }

    private static func allowPatterns(_ server: VolfileVolume, brickPath: String) throws -> [String] {
        let brickKey = VolfileKey.authAddressAllow(brickPath: brickPath)
        let key = server.options.contains(brickKey) ? brickKey : VolfileKey.authAllow
        let patterns = try server.string(key).split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
        guard !patterns.contains("") else { throw server.failure(key, "has an empty pattern between commas") }
        return patterns
    }

    private static func trimmed(_ text: Substring) -> String {
        var slice = text
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
