import Foundation
import JBRCore

/// The kinds of fault the nemesis injects into a running volume.
public enum NemesisFaultKind: String, CaseIterable, Sendable, Codable {
    /// kill -9 of one brick, restarted after a while.
    case kill
    /// kill -9 of two bricks (the majority), both restarted after a while.
    case killTwo = "kill-two"
    /// SIGSTOP of one brick (a paused leader keeps its connections open), then SIGCONT.
    case pause
    /// One brick neither reaches nor hears its peers; clients still reach it.
    case isolate
    /// What one brick sends to one peer is held; the other way still flows.
    case oneWayCut = "one-way-cut"
    /// One brick's disk is filled to ENOSPC, then freed.
    case diskFull = "disk-full"
}

/// One fault as injected: what, on which bricks (numbered from 0), for how long.
public struct NemesisFault: Sendable, CustomStringConvertible {
    public let kind: NemesisFaultKind
    /// The bricks it acts on; for a one-way cut, the sender then the receiver.
    public let bricks: [Int]
    public let duration: Duration
    /// Whether the first brick led when the fault was chosen.
    public let hitsLeader: Bool

    public var description: String {
        let names = bricks.map { "b\($0 + 1)" }
        let target = kind == .oneWayCut ? "\(names[0]) → \(names[1])" : names.joined(separator: ", ")
        return "\(kind.rawValue) \(target)\(hitsLeader ? " (leader)" : "") for \(String(format: "%.1f", duration.seconds)) s"
    }
}

/// Chooses the faults of a run from its seed: kinds in shuffled rounds (every enabled kind once
/// per round, so a short run still sees each), the leader as target more often than not (that
/// is where faults hurt), durations and quiet gaps at random.
struct NemesisFaultPlanner {
    private var random: SplitMix64
    private let kinds: [NemesisFaultKind]
    private var round: [NemesisFaultKind] = []

    init(seed: UInt64, kinds: [NemesisFaultKind]) {
        random = SplitMix64(seed: seed)
        self.kinds = kinds
    }

    /// The next fault, given which brick leads now (nil if none is known).
    mutating func next(leader: Int?, brickCount: Int) -> NemesisFault {
        if round.isEmpty { round = kinds.shuffled(using: &random) }
        let kind = round.removeFirst()
        let aimsAtLeader = leader != nil && Double.random(in: 0..<1, using: &random) < 0.6
        let first = aimsAtLeader ? leader! : Int.random(in: 0..<brickCount, using: &random)
        let second = (first + Int.random(in: 1..<brickCount, using: &random)) % brickCount
        let seconds: Double =
            switch kind {
            case .killTwo: Double.random(in: 0.5...2.5, using: &random)
            default: Double.random(in: 0.5...4, using: &random)
            }
        let bricks = kind == .oneWayCut || kind == .killTwo ? [first, second] : [first]
        return NemesisFault(kind: kind, bricks: bricks, duration: .milliseconds(Int(seconds * 1000)), hitsLeader: first == leader)
    }

    /// The healed gap before the next fault.
    mutating func quietGap() -> Duration {
        .milliseconds(Int.random(in: 300...2000, using: &random))
    }

    /// A draw for the workload's own choices.
    mutating func nextSeed() -> UInt64 { random.next() }
}
