import ArgumentParser

struct JBRServerTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jbr-server",
        abstract: "A JBR brick server and its tools.",
        subcommands: [VolgenCommand.self]
    )
}

JBRServerTool.main()
