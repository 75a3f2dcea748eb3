import ArgumentParser
import Foundation
import JBRCore

/// `jbr-server volgen NAME replica N BRICK... --out DIR`: writes a volume's brick and client volfiles.
struct VolgenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volgen",
        abstract: "Generate the brick and client volfiles of a volume.",
        discussion: """
            Consecutive groups of N bricks form replica sets. BRICK is HOST[:PORT]:/ABSOLUTE/PATH; \
            bricks without a port get 49152, 49153, ... per host. Writes one NAME.HOST.PATH.vol per brick \
            and NAME.tcp-fuse.vol for clients, with a new volume id and shared secret. The files hold \
            the secret, so they are created readable by their owner only.
            """)

    @Argument(help: ArgumentHelp("NAME replica N BRICK...", valueName: "words"))
    var words: [String]

    @Option(help: ArgumentHelp("Directory to write the volfiles into (created if missing).", valueName: "dir"))
    var out: String?

    @Flag(help: "Overwrite volfiles that already exist.")
    var force = false

    @Flag(name: .customLong("print"), help: "Print the volfiles to standard output.")
    var printFiles = false

    func validate() throws {
        guard out != nil || printFiles else { throw ValidationError("give --out DIR, --print, or both") }
    }

    func run() throws {
        let request = try VolgenRequest(arguments: words)
        var generator = SystemRandomNumberGenerator()
        let output = Volgen.generate(request, using: &generator)
        let rendered = try output.files.map { file in (name: file.name, text: try VolfileWriter.text(of: file.graph)) }
        if let out {
            let paths = try write(rendered, into: out)
            if !printFiles { paths.forEach { print($0) } }
        }
        if printFiles {
            for file in rendered {
                print("# \(file.name)\n\(file.text)")
            }
        }
    }

    /// Writes every file or none: all targets are checked before the first is written.
    private func write(_ files: [(name: String, text: String)], into directory: String) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw VolgenCommandError("\(directory) exists and is not a directory") }
        } else {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let targets = files.map { prefix + $0.name }
        if !force {
            let existing = targets.filter { manager.fileExists(atPath: $0) }
            guard existing.isEmpty else {
                throw VolgenCommandError(
                    "refusing to overwrite \(existing.joined(separator: ", ")) (use --force to overwrite)")
            }
        }
        for (file, path) in zip(files, targets) {
            guard
                manager.createFile(
                    atPath: path, contents: Data(file.text.utf8), attributes: [.posixPermissions: 0o600])
            else { throw VolgenCommandError("could not write \(path)") }
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        return targets
    }
}

/// A failure of the command itself (files, directories), printed by ArgumentParser to stderr.
struct VolgenCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
