import ArgumentParser
import Foundation
import JBRClient
import JBRCore
import JBRMount
import Logging

struct MountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mount",
        abstract: "Mount the volume at a directory (FUSE).",
        discussion: """
            Unmount with `fusermount3 -u MOUNTPOINT` (or `umount` as root); SIGTERM or SIGINT to the \
            mount process unmounts too. An operation in flight while the leader changes waits and \
            then completes once on the new leader, within --timeout.
            """)
    @ParentCommand var tool: JBRClientTool
    var volume: VolumeOptions { tool.volume }

    @Argument(help: "An existing directory to mount the volume at.") var mountPoint: String
    @Flag(help: "Stay in the foreground until unmounted (otherwise return once mounted).") var foreground = false
    @Flag(help: "Refuse every change (EROFS).") var readOnly = false
    @Option(help: "Seconds the kernel may cache an object's attributes (0: nothing cached).") var attributeTimeout = 0.0
    @Option(help: "Seconds the kernel may cache a name's lookup (0: nothing cached).") var entryTimeout = 0.0
    @Flag(help: "Let the kernel keep file pages between reads (faster; another client's writes may be read late).") var pageCache = false
    @Option(help: "Append the mount's log here (default: standard error in the foreground, nothing as a daemon).") var logFile: String?
    @Option(help: "Log level: error, warning, info, debug.") var logLevel = "warning"

    func validate() throws {
        guard attributeTimeout >= 0, entryTimeout >= 0 else { throw ValidationError("cache timeouts cannot be negative") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of error, warning, info, debug") }
    }

    func run() async throws {
        if let reason = FuseMount.unavailableReason { throw FailureReport.fail(subject: mountPoint, error: JBRError(.ENODEV, reason)) }
        let absolute = URL(fileURLWithPath: mountPoint).standardizedFileURL.path
        guard foreground else { return try MountDaemon.start(mountPoint: absolute, logFile: logFile) }
        if let logFile { try MountDaemon.sendStandardError(to: logFile) }
        var options = MountOptions()
        options.readOnly = readOnly
        options.attributeTimeout = attributeTimeout
        options.entryTimeout = entryTimeout
        options.pageCache = pageCache
        options.sourceName = "jbr:" + (URL(fileURLWithPath: volume.volfile).lastPathComponent.components(separatedBy: ".").first ?? "volume")
        var logger = Logger(label: "jbr-mount")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let client = try volume.client()
        let readyLine = "mounted \(options.sourceName) at \(absolute)\n"
        do {
            try await FuseMount.serve(client: client, at: absolute, options: options, logger: logger) {
                FileHandle.standardOutput.write(Data(readyLine.utf8))
            }
            await client.close()
        } catch {
            await client.close()
            throw FailureReport.fail(subject: mountPoint, error: error)
        }
    }
}
