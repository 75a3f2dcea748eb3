import JBRCore

/// One fault of a simulated run: what, to whom, from when, for how long.
public struct SimulatedFault: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// kill -9: what the journal had not made durable may be lost (any prefix of it kept,
        /// the rest torn off), the store falls back to its last checkpoint; restarted at the end.
        case crash(ReplicaID)
        /// SIGSTOP: the brick sees nothing until it resumes; its peers see silence.
        case pause(ReplicaID)
        /// Cut both ways between the brick and every other.
        case isolate(ReplicaID)
        /// Messages from `from` to `to` are lost; the other way works.
        case cutOneWay(from: ReplicaID, to: ReplicaID)
        /// Each message between bricks is lost with this probability (per mille).
        case lossy(perMille: Int)
        /// Each message between bricks is delivered twice with this probability (per mille).
        case duplicating(perMille: Int)
        /// Messages between bricks take up to this much longer: they overtake each other.
        case delaying(maxMicroseconds: Int64)
        /// The brick's journal writes and syncs take this long.
        case slowDisk(ReplicaID, microseconds: Int64)
        /// The brick's wall clock jumps by this many seconds (back or forward).
        case clockJump(ReplicaID, seconds: Int64)
    }

    public var kind: Kind
    public var start: Int64
    public var duration: Int64

    public var end: Int64 { start + duration }

    public var description: String {
        let window = "at \(Self.format(start)) for \(Self.format(duration))"
        switch kind {
        case let .crash(brick): return "crash \(brick) \(window)"
        case let .pause(brick): return "pause \(brick) \(window)"
        case let .isolate(brick): return "isolate \(brick) \(window)"
        case let .cutOneWay(from, to): return "cut \(from)→\(to) \(window)"
        case let .lossy(perMille): return "lose \(perMille)‰ of messages \(window)"
        case let .duplicating(perMille): return "duplicate \(perMille)‰ of messages \(window)"
        case let .delaying(maximum): return "delay messages up to \(Self.format(maximum)) \(window)"
        case let .slowDisk(brick, latency): return "slow disk on \(brick) (\(Self.format(latency)) a write) \(window)"
        case let .clockJump(brick, seconds): return "clock of \(brick) jumps \(seconds) s at \(Self.format(start))"
        }
    }

    static func format(_ microseconds: Int64) -> String {
        microseconds >= 1_000_000 ? "\(Double(microseconds) / 1_000_000) s" : "\(Double(microseconds) / 1000) ms"
    }

    /// The faults of a run, drawn from its seed: kinds, targets and windows all random, so
    /// faults overlap (a crash during a partition, a pause of a leader with a slow disk …).
    public static func plan(seed: UInt64, options: SimulationOptions) -> [SimulatedFault] {
        var random = SplitMix64(seed: seed ^ 0x5EED_FA17)
        func next(_ range: ClosedRange<Int64>) -> Int64 { range.lowerBound + Int64(random.next() % UInt64(range.upperBound - range.lowerBound + 1)) }
        func brick() -> ReplicaID { ReplicaID(UInt32(random.next() % UInt64(options.replicas))) }
        var faults: [SimulatedFault] = []
        for _ in 0..<options.faults {
            let start = next(0...(options.faultyMicroseconds * 9 / 10))
            let duration = next(50_000...min(5_000_000, options.faultyMicroseconds - start))
            let kind: Kind
            switch random.next() % 9 {
            case 0, 1: kind = .crash(brick())
            case 2: kind = .pause(brick())
            case 3: kind = .isolate(brick())
            case 4:
                let from = brick()
                var to = brick()
                if to == from { to = ReplicaID((from.rawValue + 1) % UInt32(options.replicas)) }
                kind = .cutOneWay(from: from, to: to)
            case 5: kind = .lossy(perMille: Int(next(20...400)))
            case 6: kind = random.next() % 2 == 0 ? .duplicating(perMille: Int(next(20...300))) : .delaying(maxMicroseconds: next(5_000...200_000))
            case 7: kind = .slowDisk(brick(), microseconds: next(5_000...300_000))
            default: kind = .clockJump(brick(), seconds: next(-7200...7200))
            }
            faults.append(SimulatedFault(kind: kind, start: start, duration: duration))
        }
        return faults.sorted { $0.start < $1.start }
    }
}
