/// Generates a volume's volfiles: one per brick, and one for clients. Pure: the volume id and the
/// shared secret come from the generator passed in, so a seeded generator reproduces the output.
///
/// Every brick's graph has the same shape — no brick is marked leader (GlusterFS's volgen wrote
/// `leader yes` on the first brick of a set; here leaders are elected) — and lists the other
/// bricks of its replica set as `protocol/client` peers in brick order.
public enum Volgen {
    /// GlusterFS's first brick port (`GF_IANA_PRIV_PORTS_START`); bricks without a port get this,
    /// then the next, per host, skipping ports given explicitly on that host.
    public static let firstBrickPort = 49152

    public static func generate(
        _ request: VolgenRequest, settings: VolgenSettings = VolgenSettings(),
        using generator: inout some RandomNumberGenerator
    ) -> VolgenOutput {
        let volumeID = VolumeID.random(using: &generator)
        var secret: [UInt8] = []
        while secret.count < VolfileSecret.generatedBytes {
            withUnsafeBytes(of: generator.next().littleEndian) { secret.append(contentsOf: $0) }
        }
        let bricks = placedBricks(request)
        let plan = VolgenPlan(
            volumeName: request.volumeName, volumeID: volumeID, secret: VolfileValue.hex(secret),
            replicaCount: request.replicaCount, bricks: bricks, settings: settings)
        var files = bricks.indices.map { index in
            VolgenFile(name: bricks[index].volfileName, role: .brick(index), graph: plan.brickGraph(index))
        }
        files.append(
            VolgenFile(
                name: VolgenRequest.clientVolfileName(volume: request.volumeName), role: .client,
                graph: plan.clientGraph()))
        return VolgenOutput(
            volumeName: request.volumeName, volumeID: volumeID, secret: secret, replicaCount: request.replicaCount,
            bricks: bricks, files: files)
    }

    /// Assigns ports and replica positions: brick `i` is in set `i / N` at position `i % N`.
    static func placedBricks(_ request: VolgenRequest) -> [VolgenBrick] {
        var taken: Set<String> = Set(request.bricks.compactMap { brick in brick.port.map { key(brick.host, $0) } })
        var nextPort: [String: Int] = [:]
        return request.bricks.enumerated().map { index, brick in
            var port = brick.port
            if port == nil {
                var candidate = nextPort[brick.host.lowercased(), default: firstBrickPort]
                while taken.contains(key(brick.host, candidate)) { candidate += 1 }
                taken.insert(key(brick.host, candidate))
                nextPort[brick.host.lowercased()] = candidate + 1
                port = candidate
            }
            return VolgenBrick(
                host: brick.host, port: port ?? firstBrickPort, path: brick.path,
                replicaSet: index / request.replicaCount,
                replicaID: ReplicaID(UInt32(index % request.replicaCount)),
                volfileName: VolgenRequest.brickVolfileName(volume: request.volumeName, brick: brick))
        }
    }

    private static func key(_ host: String, _ port: Int) -> String { "\(host.lowercased()) \(port)" }
}

/// Tunables volgen writes into every volfile. The defaults suit a LAN. Values outside the ranges
/// of `JournalVolfileOptions` and `ReplicaTimingVolfileOptions` produce volfiles whose
/// configuration views refuse them.
public struct VolgenSettings: Hashable, Sendable {
    public var segmentBytes: Int = 64 << 20
    public var compression: JournalVolfileOptions.Compression = .lz4
    public var retentionBytes: Int = 1 << 30
    public var timing = ReplicaTimingVolfileOptions()
    /// Seconds without an answer before a client drops a brick connection; GlusterFS's default.
    public var pingTimeoutSeconds: Int = 42

    public init() {}

    public func journal(brickPath: String) -> JournalVolfileOptions {
        var journal = JournalVolfileOptions(brickPath: brickPath)
        journal.segmentBytes = segmentBytes
        journal.compression = compression
        journal.retentionBytes = retentionBytes
        return journal
    }
}

/// A brick as placed by volgen.
public struct VolgenBrick: Hashable, Sendable {
    public var host: String
    public var port: Int
    public var path: String
    /// Index of the replica set, counting from 0 in brick order.
    public var replicaSet: Int
    /// Position within the replica set.
    public var replicaID: ReplicaID
    public var volfileName: String
}

/// One generated volfile.
public struct VolgenFile: Hashable, Sendable {
    public enum Role: Hashable, Sendable {
        /// The volfile of brick `index` in `VolgenOutput.bricks`.
        case brick(Int)
        case client
    }

    public var name: String
    public var role: Role
    public var graph: VolfileGraph
}

/// Everything volgen produced: the facts it chose and the volfiles (bricks in order, then the client).
public struct VolgenOutput: Hashable, Sendable {
    public var volumeName: String
    public var volumeID: VolumeID
    public var secret: [UInt8]
    public var replicaCount: Int
    public var bricks: [VolgenBrick]
    public var files: [VolgenFile]
}
