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
                let repairText = status.role == "leader" ? "-" : repair(of: status.replicaID).map {
                    $0.behind > 0 && $0.state != "in sync" ? "\($0.state), \($0.behind) behind" : $0.state
                } ?? "-"
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
        case .needsFullResync: "needs a full resync (not built yet)"
        case .planning: "planning its repair"
        }
    }

    private func pad(_ value: Any, _ width: Int) -> String { "\(value)".padding(toLength: width, withPad: " ", startingAt: 0) }
}
