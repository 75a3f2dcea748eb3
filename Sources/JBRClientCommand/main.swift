import ArgumentParser

struct JBRClientTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jbr-client",
        abstract: "Client of a JBR volume.",
        subcommands: []
    )
}

JBRClientTool.main()
