import ArgumentParser
import Foundation
import JBRClient
import JBRCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Each brick's role, term, leader, positions and lag.")

    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let statuses = try await withClient(volume) { await $0.status() }
        let leaders = statuses.compactMap { try? $0.status.get() }.filter { $0.role == "leader" }
        let leaderCommit = leaders.map(\.commit).max() ?? .zero
        // The newest leader's view of each follower's repair.
        let newestLeader = leaders.max { $0.term < $1.term }
        func repair(of replica: ReplicaID) -> (state: String, match: UInt64, behind: UInt64)? {
            guard let leader = newestLeader, let view = leader.followers.first(where: { $0.replicaID == replica }) else { return nil }
            let behind = leader.last.index.rawValue > view.match.rawValue ? leader.last.index.rawValue - view.match.rawValue : 0
            return (Self.describe(view.state), view.match.rawValue, behind)
        }
        if json {
            let objects: [[String: Any]] = statuses.map { brick, status in
                var object: [String: Any] = ["brick": "\(brick.host):\(brick.port):\(brick.path)", "replica": brick.replicaID.rawValue]
                switch status {
                case let .success(status):
                    object.merge([
                        "role": status.role, "term": status.term.rawValue, "leader": status.leader.map { Int($0.rawValue) } as Any,
                        "last": "\(status.last)", "commit": status.commit.rawValue, "applied": status.applied.rawValue,
                        "lag": leaderCommit.rawValue > status.applied.rawValue ? leaderCommit.rawValue - status.applied.rawValue : 0,
                        "journal_bytes": status.journalBytes,
                    ]) { $1 }
                    if let repair = repair(of: status.replicaID) {
                        object["repair"] = ["state": repair.state, "match": repair.match, "behind": repair.behind]
                    }
                    if let resync = status.resync {
                        object["resync"] = [
                            "phase": Self.describe(resync.phase), "source": resync.source.map { Int($0.rawValue) } as Any,
                            "position": "\(resync.position)", "manifest_bytes": resync.manifestBytes,
                            "manifest_bytes_done": resync.manifestBytesDone, "content_bytes": resync.contentBytes,
                            "content_bytes_done": resync.contentBytesDone, "attempts": resync.attempts,
                            "elapsed_ms": resync.elapsedMilliseconds,
                        ] as [String: Any]
                    }
                case let .failure(error):
                    object["error"] = "\(error)"
                }
                return object
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let names = statuses.map { "\($0.brick.host):\($0.brick.port):\($0.brick.path)" }
        let width = (names.map(\.count).max() ?? 5) + 2
        print(pad("BRICK", width) + "REPLICA ROLE       TERM  LEADER  LAST          COMMIT  APPLIED  LAG  JOURNAL     REPAIR")
        for ((brick, status), brickName) in zip(statuses, names) {
            let name = pad(brickName, width)
            switch status {
            case let .success(status):
                let lag = leaderCommit.rawValue > status.applied.rawValue ? leaderCommit.rawValue - status.applied.rawValue : 0
                let repairText = status.resync.map(Self.describe) ?? (status.role == "leader" ? "-" : repair(of: status.replicaID).map {
                    $0.behind > 0 && $0.state != "in sync" ? "\($0.state), \($0.behind) behind" : $0.state
                } ?? "-")
                print("\(name)\(pad(status.replicaID, 8))\(pad(status.role, 11))\(pad(status.term.rawValue, 6))\(pad(status.leader.map { "\($0)" } ?? "-", 8))\(pad(status.last, 14))\(pad(status.commit.rawValue, 8))\(pad(status.applied.rawValue, 9))\(pad(lag, 5))\(pad(status.journalBytes, 12))\(repairText)")
            case let .failure(error):
                print("\(name)\(pad(brick.replicaID, 8))unreachable: \(error)")
            }
        }
    }

    static func describe(_ state: FollowerRepair.State) -> String {
        switch state {
        case .inSync: "in sync"
        case .probing: "finding where journals agree"
        case .catchingUp: "catching up"
        case .readingJournal: "catching up from the journal"
        case .needsFullResync: "needs a full resync"
        case .planning: "planning its repair"
        }
    }

    static func describe(_ phase: ResyncProgress.Phase) -> String {
        switch phase {
        case .waiting: "waiting for a leader"
        case .starting: "starting"
        case .installingTree: "installing the tree"
        case .copyingContents: "copying contents"
        case .finishing: "finishing"
        }
    }

    /// One line, e.g. "full resync from r2 at (3,120): copying contents, 12.0 of 48.0 MiB (25%), 4.1 s".
    static func describe(_ resync: ResyncProgress) -> String {
        var text = "full resync"
        if let source = resync.source { text += " from \(source)" }
        if resync.position.index > .zero { text += " at \(resync.position)" }
        text += ": \(describe(resync.phase))"
        switch resync.phase {
        case .installingTree: text += ", " + fraction(resync.manifestBytesDone, of: resync.manifestBytes) + " of the manifest"
        case .copyingContents: text += ", " + fraction(resync.contentBytesDone, of: resync.contentBytes)
        case .waiting, .starting, .finishing: break
        }
        if resync.elapsedMilliseconds > 0 { text += String(format: ", %.1f s", Double(resync.elapsedMilliseconds) / 1000) }
        if resync.phase == .waiting, resync.attempts > 0 {
            text += ", \(resync.attempts) failed attempt" + (resync.attempts == 1 ? "" : "s")
        } else if resync.attempts > 1 {
            text += ", attempt \(resync.attempts)"
        }
        return text
    }

    private static func fraction(_ done: UInt64, of total: UInt64) -> String {
        let mebibyte = Double(1 << 20)
        let percent = total > 0 ? min(100, Double(done) * 100 / Double(total)) : 100
        return String(format: "%.1f of %.1f MiB (%.0f%%)", Double(done) / mebibyte, Double(total) / mebibyte, percent)
    }

    private func pad(_ value: Any, _ width: Int) -> String { "\(value)".padding(toLength: width, withPad: " ", startingAt: 0) }
}
