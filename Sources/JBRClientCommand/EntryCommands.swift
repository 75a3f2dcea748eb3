import ArgumentParser
import JBRClient
import JBRCore

struct RmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a file, symlink or special file (not a directory: see rmdir).")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        try await withClient(volume, about: path) { try await $0.remove(path) }
    }
}

struct RmdirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmdir", abstract: "Remove an empty directory.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        try await withClient(volume, about: path) { try await $0.removeDirectory(path) }
    }
}

struct MvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mv", abstract: "Rename: DEST becomes the name of SOURCE, replacing what DEST held (DEST is not a directory to move into).")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Flag(help: "Fail with EEXIST if DEST exists (RENAME_NOREPLACE).") var noReplace = false
    @Argument(help: "Path in the volume.") var source: String
    @Argument(help: "The new path.") var destination: String

    func run() async throws {
        try await withClient(volume, about: "\(source) -> \(destination)") { try await $0.move(source, to: destination, replace: !noReplace) }
    }
}

struct LnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ln", abstract: "Make a hard link to an existing object, or with -s a symbolic link.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Flag(name: .customShort("s"), help: "Make a symbolic link holding TARGET verbatim (it is not resolved).") var symbolic = false
    @Argument(help: "The existing path (hard link) or the text the symbolic link holds.") var target: String
    @Argument(help: "The new path.") var link: String

    func run() async throws {
        if symbolic {
            try await withClient(volume, about: link) { _ = try await $0.makeSymbolicLink(at: link, target: target) }
        } else {
            try await withClient(volume, about: "\(target) -> \(link)") { _ = try await $0.link(target, at: link) }
        }
    }
}
