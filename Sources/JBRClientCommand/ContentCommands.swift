import ArgumentParser
import Foundation
import JBRClient
import JBRCore

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Copy a file of the volume to a local file.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Flag(help: "Replace the local file if it exists.") var force = false
    @Argument(help: "Path in the volume.") var path: String
    @Argument(help: "Local file.") var local: String

    /// Copies into a hidden sibling of `local` and renames it over `local` only when the whole
    /// file has arrived, so a failed copy leaves no partial file and an overwritten file intact.
    func run() async throws {
        guard force || !FileManager.default.fileExists(atPath: local) else {
            throw FailureReport.fail(subject: local, error: JBRError(.EEXIST, "use --force to replace it"))
        }
        let localURL = URL(fileURLWithPath: local)
        let partial = localURL.deletingLastPathComponent().appendingPathComponent(
            ".\(localURL.lastPathComponent).jbr-partial-\(ProcessInfo.processInfo.processIdentifier)").path
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FailureReport.fail(subject: local, error: JBRError(JBRError.Code(rawValue: UInt16(errno)), "cannot create \(partial)"))
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        defer { try? FileManager.default.removeItem(atPath: partial) }
        do {
            try await withClient(volume) { client in
                try await client.readFile(path) { chunk in
                    do { try handle.write(contentsOf: Data(chunk.readableBytesView)) } catch { throw LocalFileFailure(underlying: error) }
                }
            }
            do { try handle.close() } catch { throw LocalFileFailure(underlying: error) }
        } catch let failure as LocalFileFailure {
            try? handle.close()
            throw FailureReport.fail(subject: local, error: failure.underlying)
        } catch let error where !(error is ValidationError) {
            try? handle.close()
            throw FailureReport.fail(subject: path, error: error)
        }
        guard rename(partial, local) == 0 else {
            throw FailureReport.fail(subject: local, error: JBRError(JBRError.Code(rawValue: UInt16(errno)), "cannot rename \(partial) into place"))
        }
    }
}

/// A failure of the local side of a copy, told apart from the volume's.
private struct LocalFileFailure: Error {
    var underlying: any Error
}

struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Write standard input into a file of the volume at an offset, creating the file if missing.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Option(help: "Byte offset to write at; the file grows as needed and is never cut.") var offset: UInt64 = 0
    @Argument(help: "Path in the volume.") var path: String

    /// Streams standard input 1 MiB at a time, so input of any size needs little memory.
    func run() async throws {
        try await withClient(volume, about: path) { client in
            let file = try await client.openFile(path)
            guard file.type == .regular else { throw JBRError(.EISDIR, "is not a regular file") }
            var position = offset
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                try await client.write(chunk, toFile: file.gfid, at: position)
                position += UInt64(chunk.count)
            }
        }
    }
}

struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append standard input to a file of the volume (as O_APPEND: at its end when applied), creating the file if missing.",
        discussion: "Each 1 MiB of input is one append: other clients' appends may land between two of them, never inside one.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        try await withClient(volume, about: path) { client in
            let file = try await client.openFile(path)
            guard file.type == .regular else { throw JBRError(.EISDIR, "is not a regular file") }
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                try await client.append(chunk, toFile: file.gfid)
            }
        }
    }
}

struct TruncateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "truncate", abstract: "Set the size of a file of the volume, cutting or zero-extending it.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Option(help: "The new size in bytes.") var size: UInt64
    @Argument(help: "Path in the volume.") var path: String

    func run() async throws {
        try await withClient(volume, about: path) { _ = try await $0.truncate(path, size: size) }
    }
}
