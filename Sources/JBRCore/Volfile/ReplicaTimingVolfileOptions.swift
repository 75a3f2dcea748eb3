/// Election and heartbeat timing, carried on a brick's `experimental/jbr` volume.
///
/// Time in the replica core is counted in ticks (STYLE 4); the shell ticks every
/// `tickIntervalMilliseconds`. A leader sends heartbeats every `heartbeatTicks`; a follower that
/// hears nothing for `electionTicks` (plus a random part of as much again) starts an election.
/// The defaults (50 ms, 1, 8) give an election timeout of 400–800 ms, so a dead leader is
/// replaced in under a second, while a follower still waits out eight missed heartbeats (pre-vote
/// and check-quorum keep a slow follower from disturbing a live leader). etcd's defaults (100 ms,
/// 1, 10) suit links slower than a LAN.
public struct ReplicaTimingVolfileOptions: Hashable, Sendable {
    public var tickIntervalMilliseconds: Int = 50
    public var heartbeatTicks: Int = 1
    public var electionTicks: Int = 8

    public static let tickIntervalRange = 1...60_000
    public static let heartbeatTicksRange = 1...1_000
    public static let electionTicksRange = 2...10_000

    public init() {}

    /// The option lines volgen writes, in order.
    public var options: [(String, String)] {
        [
            (VolfileKey.tickInterval, "\(tickIntervalMilliseconds)"),
            (VolfileKey.heartbeatTicks, "\(heartbeatTicks)"),
            (VolfileKey.electionTicks, "\(electionTicks)"),
        ]
    }

    /// Reads the replica volume's timing options; a missing key takes its default.
    init(volume: VolfileVolume) throws {
        self.init()
        tickIntervalMilliseconds = try volume.integer(
            VolfileKey.tickInterval, in: Self.tickIntervalRange, default: tickIntervalMilliseconds)
        heartbeatTicks = try volume.integer(
            VolfileKey.heartbeatTicks, in: Self.heartbeatTicksRange, default: heartbeatTicks)
        electionTicks = try volume.integer(
            VolfileKey.electionTicks, in: Self.electionTicksRange, default: electionTicks)
        guard electionTicks > heartbeatTicks else {
            throw volume.failure(
                VolfileKey.electionTicks,
                "\(electionTicks) must be more than heartbeat-ticks (\(heartbeatTicks)), or followers "
                    + "would start elections between heartbeats")
        }
    }
}
