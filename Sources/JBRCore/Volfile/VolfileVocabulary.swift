/// Translator types and option keys JBR's volfiles use, shared by volgen (which writes them) and
/// the configuration views (which read them), so the two cannot drift apart.
///
/// GlusterFS's names are kept where the role matches: `storage/posix`, `protocol/client`,
/// `protocol/server`, `cluster/distribute`, and JBR's own `experimental/jbr`, `experimental/jbrc`
/// and `experimental/fdl` (the journal).
public enum VolfileXlator {
    public static let posix = "storage/posix"
    public static let journal = "experimental/fdl"
    public static let replica = "experimental/jbr"
    public static let replicaClient = "experimental/jbrc"
    public static let client = "protocol/client"
    public static let server = "protocol/server"
    public static let distribute = "cluster/distribute"
}

/// Option keys, grouped by the translator that carries them.
public enum VolfileKey {
    // storage/posix
    public static let directory = "directory"
    /// Also on `experimental/jbr` and the client's `cluster/distribute`.
    public static let volumeID = "volume-id"
    /// Free space (percent of the brick's file system) kept back from new data, as GlusterFS's
    /// `storage.reserve`.
    public static let reserve = "reserve"

    // experimental/fdl
    public static let logPath = "log-path"
    public static let segmentSize = "segment-size"
    public static let compression = "compression"
    public static let retentionBytes = "retention-bytes"

    // experimental/jbr
    /// GlusterFS's jbr key for the volume name.
    public static let volumeName = "vol-name"
    public static let replicaID = "replica-id"
    public static let replicaCount = "replica-count"
    public static let replicaSet = "replica-set"
    public static let tickInterval = "tick-interval-ms"
    public static let heartbeatTicks = "heartbeat-ticks"
    public static let electionTicks = "election-ticks"

    // protocol/client
    public static let remoteHost = "remote-host"
    public static let remotePort = "remote-port"
    public static let remoteSubvolume = "remote-subvolume"
    public static let transportType = "transport-type"
    public static let pingTimeout = "ping-timeout"

    // protocol/server
    public static let listenPort = "transport.socket.listen-port"
    public static let bindAddress = "transport.socket.bind-address"
    /// The brick's Prometheus endpoint (HTTP, `GET /metrics`); absent or 0: none.
    public static let metricsPort = "metrics.listen-port"
    /// Also on the client's `cluster/distribute`: the volume's shared secret, 64 hex digits.
    public static let authSecret = "auth.secret"
    public static let authAllow = "auth.allow"

    /// GlusterFS's per-export allow list: `auth.addr./d/backends/patchy1.allow`.
    public static func authAddressAllow(brickPath: String) -> String { "auth.addr.\(brickPath).allow" }
}
