import ArgumentParser
import Foundation
import JBRClient
import JBRCore

struct MkdirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mkdir", abstract: "Make a directory.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Flag(name: .short, help: "Make parents as needed; no error if it exists.") var parents = false
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        _ = try await withClient(volume, about: path) { client in
            guard parents else { return try await client.makeDirectory(path) }
            var prefix = ""
            for component in path.split(separator: "/") {
                prefix += "/\(component)"
                do {
                    try await client.makeDirectory(prefix)
                } catch let error as JBRError where error.code == .EEXIST {
                    continue
                }
            }
            return try await client.attributes(of: path)
        }
    }
}

struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "put", abstract: "Copy a local file into the volume.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "Local file.") var local: String
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: local) else { throw ValidationError("cannot read \(local)") }
        try await withClient(volume, about: path) { try await $0.writeFile(path, data: Array(data)) }
    }
}

struct CatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print a file of the volume.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        let contents = try await withClient(volume, about: path) { try await $0.readFile(path) }
        FileHandle.standardOutput.write(Data(contents))
    }
}

struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a directory of the volume.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Flag(name: .short, help: "Long listing: type, mode, size, GFID.") var long = false
    @Argument(help: "Path in the volume.") var path = "/"

    func run() async throws {
        let entries = try await withClient(volume, about: path) { try await $0.list(path) }
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            guard long else { print(entry.name); continue }
            let attributes = entry.attributes
            let type = switch attributes.type { case .directory: "d"; case .symlink: "l"; case .fifo: "p"; case .socket: "s"; case .regular: "-" }
            print("\(type)\(String(attributes.permissions, radix: 8))  \(attributes.size)  \(attributes.gfid)  \(entry.name)")
        }
    }
}
