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
        let leaderCommit = statuses.compactMap { try? $0.status.get() }.filter { $0.role == "leader" }.map(\.commit).max() ?? .zero
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
        print(pad("BRICK", width) + "REPLICA ROLE       TERM  LEADER  LAST          COMMIT  APPLIED  LAG  JOURNAL")
        for ((brick, status), brickName) in zip(statuses, names) {
            let name = pad(brickName, width)
            switch status {
            case let .success(status):
                let lag = leaderCommit.rawValue > status.applied.rawValue ? leaderCommit.rawValue - status.applied.rawValue : 0
                print("\(name)\(pad(status.replicaID, 8))\(pad(status.role, 11))\(pad(status.term.rawValue, 6))\(pad(status.leader.map { "\($0)" } ?? "-", 8))\(pad(status.last, 14))\(pad(status.commit.rawValue, 8))\(pad(status.applied.rawValue, 9))\(pad(lag, 5))\(status.journalBytes)")
            case let .failure(error):
                print("\(name)\(pad(brick.replicaID, 8))unreachable: \(error)")
            }
        }
    }

    private func pad(_ value: Any, _ width: Int) -> String { "\(value)".padding(toLength: width, withPad: " ", startingAt: 0) }
}
