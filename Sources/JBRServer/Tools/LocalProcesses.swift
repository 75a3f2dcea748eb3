import Foundation
import JBRCore

/// What benchmarks and tests need to run bricks as real processes on loopback: ports that are
/// free when probed, a process started with its output appended to a log file, a tool run to
/// its end.
public enum LocalProcesses {
    /// Whether `port` on 127.0.0.1 can be bound right now.
    public static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A brick port free now whose metrics port (volgen: +10,000) is free too, both below Linux's
    /// ephemeral range (32768 up), so no outgoing connection of any process takes one between
    /// the probe and the brick's bind. `accept` may refuse a port (one already handed out).
    public static func freeBrickPort(accept: (Int) -> Bool = { _ in true }) throws -> Int {
        for _ in 0..<1000 {
            let port = Int.random(in: 10_000..<22_000)
            if accept(port) && canBind(port) && canBind(port + 10_000) { return port }
        }
        throw JBRError(.EIO, "no free port pair below the ephemeral range")
    }

    /// Starts `executable` with its standard output and error appended to `log` (created if
    /// missing): no pipe can fill and stall it.
    public static func launch(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Runs `tool` to its end, output discarded; a non-zero exit is an error.
    public static func runToEnd(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw JBRError(.EIO, "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
    }
}
