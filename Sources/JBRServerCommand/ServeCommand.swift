import ArgumentParser
import Foundation
import JBRCore
import JBRServer
import Logging
import Wire
import Metrics
import Prometheus

/// `jbr-server --volfile FILE`: serves one brick until SIGTERM or SIGINT, then stops cleanly.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the brick a brick volfile describes (the default command).")

    @Option(help: "The brick's volfile (written by `jbr-server volgen`).")
    var volfile: String

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown log level '\(logLevel)'") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "jbr-server")
        let text: String
        do {
            text = try String(contentsOfFile: volfile, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(volfile): \(error.localizedDescription)")
        }
        let configuration = try BrickVolfileConfiguration(graph: try VolfileParser.parse(text))
        // The connection limit, not a login shell's default open-file limit, should bind.
        DescriptorBudget.raiseSoftLimit()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let server = try await BrickServer.open(configuration, metricsExport: { registry.emitToBuffer() }, logger: logger)
        print("jbr-server: brick \(configuration.replicaID) of volume \(configuration.volumeName) listening on \(configuration.listenHost):\(server.port)"
              + (server.metricsPort.map { ", metrics on http://\(configuration.listenHost):\($0)/metrics" } ?? ""))
        let serving = Task { try await server.run() }
        let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { serving.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        try await serving.value
    }
}
