import ArgumentParser

@main
struct JBRServerTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jbr-server",
        abstract: "A JBR brick server and its tools.",
        subcommands: [ServeCommand.self, VolgenCommand.self, LogdumpCommand.self, ReconCommand.self, BenchCommand.self, SimulateCommand.self, NemesisCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

