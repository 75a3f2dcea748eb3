import Foundation
import JBRCore
#if canImport(Glibc)
import Glibc
#endif

/// The mount benchmark's workloads, run by plain system calls in a directory: the same code on
/// the mount and on a local directory, so the figures compare.
///
/// Each workload ends with everything durable: on a local directory that takes a `syncfs` (timed
/// as part of it), on the mount every acknowledged write already is.
public struct DirectoryWorkloads: Sendable {
    public struct Figures: Codable, Sendable {
        /// Sequential write of `writeBytes` in 1 MiB writes.
        public var sequentialWriteMBPerSecond: Double
        /// Creating `files` files of `fileBytes`: open(O_CREAT|O_EXCL), write, close.
        public var createFilesPerSecond: Double
        /// `tar x` of the prepared source tree.
        public var tarExtractSeconds: Double
    }

    public var writeBytes = 256 << 20
    public var files = 2000
    public var fileBytes = 4096
    /// Whether to `syncfs` at the end of each workload (the mount does not need it).
    public var syncAtEnd = true

    public init() {}

    /// Runs the three workloads in `directory` (emptied of them afterwards), extracting `archive`
    /// for the last.
    public func run(in directory: String, archive: String) throws -> Figures {
        let write = try sequentialWrite(directory + "/sequential")
        let create = try createFiles(directory + "/small")
        let extract = try extractArchive(archive, into: directory + "/tree")
        for name in ["sequential", "small", "tree"] { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
        return Figures(
            sequentialWriteMBPerSecond: Double(writeBytes) / write / 1e6,
            createFilesPerSecond: Double(files) / create,
            tarExtractSeconds: extract)
    }

    private func sequentialWrite(_ path: String) throws -> Double {
        let chunk = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 12) }
        let start = ContinuousClock.now
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("open", path) }
        defer { close(descriptor) }
        var written = 0
        while written < writeBytes {
            let count = min(chunk.count, writeBytes - written)
            guard pwrite(descriptor, chunk, count, off_t(written)) == count else { throw Self.failure("write", path) }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw Self.failure("fsync", path) }
        return (ContinuousClock.now - start).seconds
    }

    private func createFiles(_ directory: String) throws -> Double {
        guard mkdir(directory, 0o755) == 0 else { throw Self.failure("mkdir", directory) }
        let body = [UInt8](repeating: 0x42, count: fileBytes)
        let start = ContinuousClock.now
        for number in 0..<files {
            let path = directory + "/file-\(number)"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw Self.failure("create", path) }
            let wrote = write(descriptor, body, body.count)
            close(descriptor)
            guard wrote == body.count else { throw Self.failure("write", path) }
        }
        try syncFileSystem(directory)
        return (ContinuousClock.now - start).seconds
    }

    private func extractArchive(_ archive: String, into directory: String) throws -> Double {
        guard mkdir(directory, 0o755) == 0 else { throw Self.failure("mkdir", directory) }
        let start = ContinuousClock.now
        try Self.tar(["xf", archive, "-C", directory])
        try syncFileSystem(directory)
        return (ContinuousClock.now - start).seconds
    }

    private func syncFileSystem(_ directory: String) throws {
        guard syncAtEnd else { return }
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open", directory) }
        defer { close(descriptor) }
        guard Self.syncfs(descriptor) == 0 else { throw Self.failure("syncfs", directory) }
    }

    /// Writes a source-like tree (nested directories, files of 200 B to 40 KiB, `count` in all)
    /// under `directory` and archives it at `archive`.
    public static func makeSourceArchive(_ archive: String, files count: Int, scratch directory: String) throws {
        // Seeded: the tree is the same on every run.
        var generator = SplitMix64(seed: 20261121)
        let root = directory + "/source"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for number in 0..<count {
            let folder = root + "/module-\(number % 17)/part-\(number % 5)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let size = 200 + Int(generator.next() % 40_000)
            let line = Array("let value\(number) = compute(\(number)) // a line of source\n".utf8)
            let body = (0..<size).map { line[$0 % line.count] }
            guard FileManager.default.createFile(atPath: folder + "/file-\(number).swift", contents: Data(body)) else {
                throw WorkloadError(detail: "cannot write the source tree under \(root)")
            }
        }
        try tar(["cf", archive, "-C", directory, "source"])
    }

    private static func tar(_ arguments: [String]) throws {
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar"] + arguments
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw WorkloadError(detail: "tar \(arguments.joined(separator: " ")) exited with \(tar.terminationStatus)") }
    }

    /// syncfs(2), which Swift's Glibc module does not export (it is a GNU extension).
    private static let syncfs: @convention(c) (Int32) -> Int32 = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "syncfs") else { fatalError("glibc has no syncfs") }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    private static func failure(_ call: String, _ path: String) -> WorkloadError {
        WorkloadError(detail: "\(call) \(path): \(String(cString: strerror(errno)))")
    }
}

public struct WorkloadError: Error, CustomStringConvertible {
    public var detail: String
    public init(detail: String) { self.detail = detail }
    public var description: String { detail }
}
