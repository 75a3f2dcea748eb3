/// How a nemesis run goes.
public struct NemesisOptions: Sendable {
    /// The `jbr-server` executable.
    public var server: String
    /// A folder to create for the run (volfiles, bricks, logs, the history).
    public var directory: String
    /// Chooses the faults, their targets and durations, and the clients' operations.
    public var seed: UInt64 = UInt64.random(in: 1...UInt64(UInt32.max))
    /// How long faults are injected; then everything heals for `healedSeconds` of operations.
    public var seconds: Double = 60
    public var healedSeconds: Double = 5
    public var clients = 5
    /// Registers held as file contents (write by rename, read).
    public var contentKeys = 4
    /// Registers held as a file's name (compare-and-set by rename, read).
    public var nameKeys = 4
    /// Registers held as a file's lines (append, read).
    public var logKeys = 4
    public var faultKinds: [NemesisFaultKind] = NemesisFaultKind.allCases
    /// Each brick's tmpfs, for disk-full faults.
    public var diskBytes = 256 << 20
    /// How long one client operation may take, retries included, before it is recorded as
    /// indeterminate.
    public var operationTimeout: Duration = .seconds(10)
    /// Of the clients, how many give up after `impatientTimeout` instead: operations left in
    /// doubt (indeterminate) that the checker must place, or not, anywhere after they began.
    public var impatientClients = 2
    public var impatientTimeout: Duration = .milliseconds(1500)
    /// Keep the run's folder even when no violation was found (it is always kept after one).
    public var keepDirectory = false

    public init(server: String, directory: String) {
        self.server = server
        self.directory = directory
    }
}
