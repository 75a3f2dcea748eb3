/// What to generate volfiles for: `NAME replica N BRICK...`, checked.
///
/// Consecutive groups of N bricks form the replica sets, in the order given (as in
/// `gluster volume create`). Checks: the name is 1–64 of `[A-Za-z0-9_-]` not starting with `-`;
/// 1 ≤ N ≤ `maxReplicaCount`; the brick count is a positive multiple of N, at most `maxBricks`;
/// no brick is given twice or inside another brick's directory on the same host; no two bricks
/// share a host and an explicit port, or a volfile name.
public struct VolgenRequest: Hashable, Sendable {
    public var volumeName: String
    public var replicaCount: Int
    public var bricks: [BrickAddress]

    public static let maxVolumeNameBytes = 64
    public static let maxReplicaCount = 16
    public static let maxBricks = 1024

    public init(volumeName: String, replicaCount: Int, bricks: [BrickAddress]) throws {
        try Self.checkVolumeName(volumeName)
        guard (1...Self.maxReplicaCount).contains(replicaCount) else {
            throw VolgenError("replica count \(replicaCount) is outside 1...\(Self.maxReplicaCount)")
        }
        guard !bricks.isEmpty else { throw VolgenError("no bricks given") }
        guard bricks.count <= Self.maxBricks else {
            throw VolgenError("\(bricks.count) bricks is more than the limit of \(Self.maxBricks)")
        }
        guard bricks.count % replicaCount == 0 else {
            throw VolgenError(
                "\(bricks.count) bricks do not form replica sets of \(replicaCount): "
                    + "the brick count must be a multiple of the replica count")
        }
        try Self.checkDistinct(bricks, volumeName: volumeName)
        self.volumeName = volumeName
        self.replicaCount = replicaCount
        self.bricks = bricks
    }

    /// Parses the command-line words `NAME replica N BRICK...`.
    public init(arguments: [String]) throws {
        let usage = "expected NAME replica N BRICK... (BRICK is HOST[:PORT]:/PATH)"
        guard arguments.count >= 4 else { throw VolgenError("too few arguments: \(usage)") }
        guard arguments[1] == "replica" else {
            throw VolgenError("expected 'replica' after the volume name, found '\(arguments[1])': \(usage)")
        }
        guard arguments[2].utf8.count <= 6, let count = Int(arguments[2]) else {
            throw VolgenError("replica count '\(arguments[2])' is not a number")
        }
        let bricks = try arguments.dropFirst(3).map { try BrickAddress(parsing: $0) }
        try self.init(volumeName: arguments[0], replicaCount: count, bricks: bricks)
    }

    /// The name of brick `index`'s volfile: `NAME.HOST.PATH-WITH-DASHES.vol`, e.g.
    /// `patchy.host1.d-backends-patchy1.vol` for `host1:/d/backends/patchy1`.
    public static func brickVolfileName(volume: String, brick: BrickAddress) -> String {
        "\(volume).\(brick.host).\(brick.path.dropFirst().replacing("/", with: "-")).vol"
    }

    /// The client volfile's name, as GlusterFS names the FUSE client's: `NAME.tcp-fuse.vol`.
    public static func clientVolfileName(volume: String) -> String { "\(volume).tcp-fuse.vol" }

    private static func checkVolumeName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= maxVolumeNameBytes else {
            throw VolgenError("volume name '\(name)' must be 1 to \(maxVolumeNameBytes) characters")
        }
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
        guard allowed else {
            throw VolgenError("volume name '\(name)' may only hold letters, digits, '_' and '-'")
        }
        guard !name.hasPrefix("-") else { throw VolgenError("volume name '\(name)' must not start with '-'") }
    }

    private static func checkDistinct(_ bricks: [BrickAddress], volumeName: String) throws {
        var paths: [String: [String]] = [:]
        var ports: Set<String> = []
        var fileNames: [String: BrickAddress] = [:]
        for brick in bricks {
            let host = brick.host.lowercased()
            for other in paths[host, default: []] {
                if other == brick.path { throw VolgenError("brick \(brick) is given twice") }
                if brick.path.hasPrefix(other + "/") || other.hasPrefix(brick.path + "/") {
                    throw VolgenError(
                        "brick \(brick) and \(brick.host):\(other) are nested: one brick cannot hold another")
                }
            }
            paths[host, default: []].append(brick.path)
            if let port = brick.port, !ports.insert("\(host) \(port)").inserted {
                throw VolgenError("two bricks on \(brick.host) both use port \(port)")
            }
            let fileName = brickVolfileName(volume: volumeName, brick: brick)
            if let other = fileNames.updateValue(brick, forKey: fileName) {
                throw VolgenError("bricks \(other) and \(brick) would share the volfile name \(fileName)")
            }
        }
    }
}
