import ArgumentParser
import JBRClient
import JBRCore

struct SetfattrCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setfattr", abstract: "Set (-n NAME -v VALUE) or remove (-x NAME) an extended attribute.",
        discussion: "VALUE is taken verbatim, except 0x… (hex) and \"…\" (quoted, with \\\" and \\\\ escapes), the forms getfattr prints.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Option(name: .short, help: "The attribute to set, e.g. user.comment.") var name: String?
    @Option(name: .short, help: "The value to set.") var value: String?
    @Option(name: .customShort("x"), help: "The attribute to remove.") var remove: String?
    @Argument(help: "Path in the volume.") var path: String

    func validate() throws {
        switch (name, value, remove) {
        case (.some, .some, nil), (nil, nil, .some): break
        default: throw ValidationError("give either -n NAME -v VALUE or -x NAME")
        }
    }

    func run() async throws {
        try await withClient(volume, about: path) { client in
            if let remove {
                try await client.removeExtendedAttribute(try XattrName(remove), of: path)
            } else if let name, let value {
                try await client.setExtendedAttribute(try XattrName(name), to: try ExtendedAttributeText.parse(value), of: path)
            }
        }
    }
}

struct GetfattrCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "getfattr", abstract: "Print one extended attribute (-n NAME) or all of them (-d), one NAME=VALUE a line.",
        discussion: "VALUE is \"text\" when printable UTF-8, else 0x… hex; setfattr takes both forms back.")
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }
    @Option(name: .short, help: "The attribute to print.") var name: String?
    @Flag(name: .customShort("d"), help: "Print every attribute with its value.") var dump = false
    @Argument(help: "Path in the volume.") var path: String

    func validate() throws {
        guard (name != nil) != dump else { throw ValidationError("give either -n NAME or -d") }
    }

    func run() async throws {
        let attributes = try await withClient(volume, about: path) { client in
            guard let name else { return try await client.extendedAttributes(of: path) }
            let xattrName = try XattrName(name)
            return [(name: xattrName, value: try await client.extendedAttribute(xattrName, of: path))]
        }
        for (name, value) in attributes { print("\(name)=\(ExtendedAttributeText.render(value))") }
    }
}
