import ArgumentParser
import Foundation
import JBRClient
import JBRCore

struct ChmodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chmod", abstract: "Set the permission bits of an object of the volume.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "Octal mode, 0 to 7777 (set-id and sticky bits included).") var mode: String
    @Argument(help: "Path in the volume.") var path: String

    var permissions: UInt16? { UInt16(mode, radix: 8).flatMap { $0 <= 0o7777 ? $0 : nil } }

    func validate() throws {
        guard permissions != nil else { throw ValidationError("MODE must be octal, 0 to 7777 (got '\(mode)')") }
    }

    func run() async throws {
        try await withClient(volume, about: path) { _ = try await $0.setPermissions(path, permissions!) }
    }
}

struct ChownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chown", abstract: "Set the owner and/or group of an object of the volume (numeric ids: the bricks share no user names).")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "UID, UID:GID or :GID, in decimal.") var owner: String
    @Argument(help: "Path in the volume.") var path: String

    /// The ids `owner` names, or nil if it is malformed.
    var ids: (uid: UInt32?, gid: UInt32?)? {
        let parts = owner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        func id(_ text: Substring) -> UInt32?? { text.isEmpty ? .some(nil) : UInt32(text).map { .some($0) } }
        guard let uid = id(parts[0]) else { return nil }
        guard parts.count == 2 else { return uid.map { ($0, nil) } }
        guard let gid = id(parts[1]), uid != nil || gid != nil else { return nil }
        return (uid, gid)
    }

    func validate() throws {
        guard ids != nil else { throw ValidationError("OWNER must be UID, UID:GID or :GID in decimal (got '\(owner)')") }
    }

    func run() async throws {
        let (uid, gid) = ids!
        try await withClient(volume, about: path) { _ = try await $0.setOwner(path, uid: uid, gid: gid) }
    }
}

struct StatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat", abstract: "Type, mode, links, owner, size, blocks, times and GFID of an object (a symlink itself, not its target).")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        let (attributes, target) = try await withClient(volume, about: path) { client in
            let attributes = try await client.attributes(of: path)
            return (attributes, attributes.type == .symlink ? try await client.linkTarget(of: path) : nil)
        }
        let report = StatReport(path: path, attributes: attributes, linkTarget: target)
        if json {
            let data = try JSONSerialization.data(withJSONObject: report.jsonObject, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}

/// What `stat` prints of one object, as text or as a JSON object.
struct StatReport {
    var path: String
    var attributes: FileAttributes
    var linkTarget: SymlinkTarget?

    var typeName: String {
        switch attributes.type {
        case .regular: "regular file"
        case .directory: "directory"
        case .symlink: "symbolic link"
        case .fifo: "fifo"
        case .socket: "socket"
        }
    }

    var mode: String { "0" + String(attributes.permissions, radix: 8).leftPadded(to: 3) }

    var text: String {
        var lines = ["  File: \(path)" + (linkTarget.map { " -> \($0)" } ?? "")]
        lines.append("  Type: \(typeName)")
        lines.append("  Mode: \(mode)   Links: \(attributes.linkCount)   Uid: \(attributes.owner.uid)   Gid: \(attributes.owner.gid)")
        lines.append("  Size: \(attributes.size)   Blocks: \(attributes.blocks)")
        lines.append("Access: \(Self.iso8601(attributes.accessTime))")
        lines.append("Modify: \(Self.iso8601(attributes.modificationTime))")
        lines.append("Change: \(Self.iso8601(attributes.changeTime))")
        lines.append("  GFID: \(attributes.gfid)")
        return lines.joined(separator: "\n")
    }

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "path": path, "type": typeName, "mode": mode, "links": attributes.linkCount,
            "uid": attributes.owner.uid, "gid": attributes.owner.gid, "size": attributes.size, "blocks": attributes.blocks,
            "atime": Self.iso8601(attributes.accessTime), "mtime": Self.iso8601(attributes.modificationTime),
            "ctime": Self.iso8601(attributes.changeTime), "gfid": "\(attributes.gfid)",
        ]
        if let linkTarget { object["target"] = linkTarget.description }
        return object
    }

    /// UTC with nanoseconds, e.g. `2025-01-31T12:00:00.000000001Z`.
    static func iso8601(_ time: Timestamp) -> String {
        var seconds = time_t(time.seconds)
        var fields = tm()
        guard gmtime_r(&seconds, &fields) != nil else { return "\(time) s since the epoch" }
        let date = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(fields.tm_year) + 1900, Int(fields.tm_mon) + 1, Int(fields.tm_mday),
                          Int(fields.tm_hour), Int(fields.tm_min), Int(fields.tm_sec))
        return date + "." + String(time.nanoseconds).leftPadded(to: 9) + "Z"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
