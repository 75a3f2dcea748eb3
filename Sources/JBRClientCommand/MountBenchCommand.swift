import ArgumentParser
import Foundation
import JBRCore
import JBRMount

/// `jbr-client bench-mount`: the volume through a FUSE mount against a local directory, on the
/// same workloads (figures, not a test).
struct MountBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-mount",
        abstract: "Sequential write, small-file creation and tar x through a mount of the volume, beside a local directory.")

    @ParentCommand var tool: JBRClientTool

    @Option(help: "The local directory to compare with (ideally on the bricks' disk).") var localDir = NSTemporaryDirectory()
    @Option(help: "MiB written sequentially.") var writeMib = 256
    @Option(help: "Files created.") var files = 2000
    @Option(help: "Bytes per created file.") var fileBytes = 4096
    @Option(help: "Files in the source tree extracted with tar x.") var treeFiles = 1000
    @Flag(help: "Print JSON.") var json = false

    struct Result: Codable {
        var mount: DirectoryWorkloads.Figures
        /// The local directory, each workload ending with syncfs (durable, like the mount).
        var localDurable: DirectoryWorkloads.Figures
        /// The local directory without syncfs: the page cache's speed.
        var localCached: DirectoryWorkloads.Figures
        var writeBytes: Int
        var files: Int
        var fileBytes: Int
        var treeFiles: Int
    }

    func validate() throws {
        guard writeMib > 0, files > 0, fileBytes >= 0, treeFiles > 0 else { throw ValidationError("sizes and counts must be positive") }
        if let reason = FuseMount.unavailableReason { throw ValidationError(reason) }
    }

    func run() async throws {
        let scratch = URL(fileURLWithPath: localDir).appendingPathComponent("jbr-bench-mount-\(UInt32.random(in: 0...UInt32.max))").path
        let mountPoint = scratch + "/mount"
        let local = scratch + "/local"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let archive = scratch + "/tree.tar"
        try DirectoryWorkloads.makeSourceArchive(archive, files: treeFiles, scratch: scratch)

        var workloads = DirectoryWorkloads()
        workloads.writeBytes = writeMib << 20
        workloads.files = files
        workloads.fileBytes = fileBytes
        let mountProcess = try startMount(at: mountPoint, log: scratch + "/mount.log")
        let onMount: DirectoryWorkloads.Figures
        do {
            let directory = mountPoint + "/bench-mount-\(UInt32.random(in: 0...UInt32.max))"
            guard mkdir(directory, 0o755) == 0 else { throw WorkloadError(detail: "mkdir \(directory): \(String(cString: strerror(errno)))") }
            progress("through the mount…")
            onMount = try workloads.run(in: directory, archive: archive)
            rmdir(directory)
            stopMount(mountProcess, at: mountPoint)
        } catch {
            stopMount(mountProcess, at: mountPoint)
            FileHandle.standardError.write(Data(((try? String(contentsOfFile: scratch + "/mount.log", encoding: .utf8)) ?? "").utf8))
            throw error
        }
        progress("on the local directory, durable…")
        let durable = try workloads.run(in: local, archive: archive)
        workloads.syncAtEnd = false
        progress("on the local directory, cached…")
        let cached = try workloads.run(in: local, archive: archive)
        let result = Result(mount: onMount, localDurable: durable, localCached: cached, writeBytes: writeMib << 20, files: files, fileBytes: fileBytes, treeFiles: treeFiles)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("workload                     mount      local+syncfs  local (cached)  local+syncfs / mount")
        print(String(format: "write %4d MiB, MB/s    %10.1f   %10.1f     %10.1f      %6.2fx", writeMib, onMount.sequentialWriteMBPerSecond,
                     durable.sequentialWriteMBPerSecond, cached.sequentialWriteMBPerSecond, durable.sequentialWriteMBPerSecond / onMount.sequentialWriteMBPerSecond))
        print(String(format: "create %5d x %5d B, files/s %7.0f   %10.0f     %10.0f      %6.2fx", files, fileBytes, onMount.createFilesPerSecond,
                     durable.createFilesPerSecond, cached.createFilesPerSecond, durable.createFilesPerSecond / onMount.createFilesPerSecond))
        print(String(format: "tar x %5d files, s        %7.2f   %10.2f     %10.2f      %6.2fx", treeFiles, onMount.tarExtractSeconds,
                     durable.tarExtractSeconds, cached.tarExtractSeconds, onMount.tarExtractSeconds / durable.tarExtractSeconds))
    }

    private func progress(_ text: String) {
        if !json { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    /// `jbr-client mount --foreground` as a child, returned once the mount is there.
    private func startMount(at mountPoint: String, log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["--volfile", tool.volume.volfile, "--timeout", String(tool.volume.timeout), "mount", mountPoint, "--foreground", "--log-file", log]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if MountTable.isMounted(mountPoint) { return process }
            if !process.isRunning {
                let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw WorkloadError(detail: "the mount process exited with \(process.terminationStatus): \(said)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw WorkloadError(detail: "\(mountPoint) was not mounted within 60 s")
    }

    private func stopMount(_ process: Process, at mountPoint: String) {
        if process.isRunning { process.interrupt() }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if MountTable.isMounted(mountPoint) { _ = umount2(mountPoint, Int32(MNT_DETACH)) }
    }
}
