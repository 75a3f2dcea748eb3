import ArgumentParser
import Foundation
import JBRClient
import JBRCore
import Logging

@main
struct JBRClientTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jbr-client",
        abstract: "Client of a JBR volume.",
        subcommands: [
            StatusCommand.self, MkdirCommand.self, PutCommand.self, GetCommand.self, CatCommand.self, WriteCommand.self, AppendCommand.self, TruncateCommand.self,
            LsCommand.self, StatCommand.self, RmCommand.self, RmdirCommand.self, MvCommand.self, LnCommand.self, ChmodCommand.self, ChownCommand.self,
            SetfattrCommand.self, GetfattrCommand.self, BenchCommand.self, MountCommand.self, MountBenchCommand.self,
        ])

    @OptionGroup var volume: VolumeOptions
}

/// What every command takes: the client volfile and a deadline.
struct VolumeOptions: ParsableArguments {
    @Option(help: "The client volfile (NAME.tcp-fuse.vol, written by `jbr-server volgen`).")
    var volfile: String

    @Option(help: "Seconds an operation may take, leader changes and retries included.")
    var timeout = 30.0

    func client() throws -> VolumeClient {
        let text: String
        do {
            text = try String(contentsOfFile: volfile, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(volfile): \(error.localizedDescription)")
        }
        var logger = Logger(label: "jbr-client")
        logger.logLevel = .error
        return try VolumeClient(
            configuration: try ClientVolfileConfiguration(graph: try VolfileParser.parse(text)), defaultTimeout: deadline, logger: logger)
    }

    var deadline: Duration { .milliseconds(Int64(timeout * 1000)) }
}

/// Runs `body` with a client and closes it whatever happens. With a `subject` (the path the
/// command is about), a failure of `body` is reported as `FailureReport` says.
func withClient<Result>(_ options: VolumeOptions, about subject: String? = nil, _ body: (VolumeClient) async throws -> Result) async throws -> Result {
    let client = try options.client()
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        guard let subject, !(error is ValidationError), !(error is ExitCode) else { throw error }
        throw FailureReport.fail(subject: subject, error: error)
    }
}
