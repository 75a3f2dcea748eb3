#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A thin, throwing layer over the POSIX calls the journal makes. Every failure carries the
/// call and the path, so "No space left on device" says which file. Retries EINTR and short
/// transfers.
///
/// A class so that a reader holding a segment keeps its descriptor open even if trimming
/// unlinks the file meanwhile; the descriptor closes when the last holder lets go.
final class FileDescriptor: Sendable {
    let fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> FileDescriptor {
        let fd = retryingEINTR { Glibc.open(path, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw JournalError.system(call: "open", path: path, errno: errno) }
        return FileDescriptor(fd: fd, path: path)
    }

    func size() throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw JournalError.system(call: "fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let written = retryingEINTR { pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            guard written > 0 else { throw JournalError.system(call: "pwrite", path: path, errno: written == 0 ? EIO : errno) }
            done += written
        }
    }

    /// Writes all of `vectors`, one after another, at `offset` (`pwritev`, in runs of at most
    /// IOV_MAX buffers, resuming after short writes).
    func write(vectors: [UnsafeRawBufferPointer], at offset: Int) throws {
        var pending = vectors.filter { !$0.isEmpty }
        var next = 0
        var position = offset
        while next < pending.count {
            let run = pending[next..<Swift.min(pending.count, next + 1024)].map {
                iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)
            }
            let written = run.withUnsafeBufferPointer { iovecs in
                retryingEINTR { pwritev(fd, iovecs.baseAddress, Int32(iovecs.count), off_t(position)) }
            }
            guard written > 0 else { throw JournalError.system(call: "pwritev", path: path, errno: written == 0 ? EIO : errno) }
            position += written
            // Step past what was written; a partly written buffer keeps its tail.
            var done = written
            while done > 0 {
                if done >= pending[next].count {
                    done -= pending[next].count
                    next += 1
                } else {
                    pending[next] = UnsafeRawBufferPointer(rebasing: pending[next][done...])
                    done = 0
                }
            }
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(into destination: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < destination.count {
            let read = retryingEINTR { pread(fd, destination.baseAddress! + done, destination.count - done, off_t(offset + done)) }
            guard read >= 0 else { throw JournalError.system(call: "pread", path: path, errno: errno) }
            if read == 0 { break }
            done += read
        }
        return done
    }

    func read(count: Int, at offset: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { buffer -> Int in try self.read(into: buffer, at: offset) }
        bytes.removeLast(count - read)
        return bytes
    }

    func syncData() throws {
        guard retryingEINTR({ fdatasync(fd) }) == 0 else { throw JournalError.system(call: "fdatasync", path: path, errno: errno) }
    }

    func syncAll() throws {
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw JournalError.system(call: "fsync", path: path, errno: errno) }
    }

    func truncate(to size: Int) throws {
        guard retryingEINTR({ ftruncate(fd, off_t(size)) }) == 0 else { throw JournalError.system(call: "ftruncate", path: path, errno: errno) }
    }

    /// Writes zeros over `range`, so later appends overwrite allocated, written blocks and an
    /// `fdatasync` has no file metadata to flush. (`fallocate` alone leaves unwritten extents,
    /// whose conversion is a metadata update on every sync.)
    func writeZeros(from start: Int, to end: Int) throws {
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = start
        while offset < end {
            let count = Swift.min(chunk.count, end - offset)
            try chunk.withUnsafeBytes { bytes in try write(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), at: offset) }
            offset += count
        }
    }
}

extension FileDescriptor {
    /// `writeZeros` for a descriptor opened with O_DIRECT: buffer, offsets and lengths are
    /// aligned to 4 KiB (the end is rounded up to it).
    func writeZerosDirect(from start: Int, to end: Int) throws {
        precondition(start % 4096 == 0, "O_DIRECT writes start on a 4 KiB boundary")
        let chunk = 1 << 20
        var aligned: UnsafeMutableRawPointer?
        guard posix_memalign(&aligned, 4096, chunk) == 0, let buffer = aligned else {
            throw JournalError.system(call: "posix_memalign", path: path, errno: ENOMEM)
        }
        defer { free(buffer) }
        memset(buffer, 0, chunk)
        var offset = start
        while offset < end {
            let count = Swift.min(chunk, (end - offset + 4095) / 4096 * 4096)
            try write(UnsafeRawBufferPointer(start: buffer, count: count), at: offset)
            offset += count
        }
    }
}

/// Directory operations, with the directory fsync that makes a create, rename or unlink durable.
enum Directory {
    static func create(_ path: String) throws {
        var components: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            components.append(String(part))
            let prefix = (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw JournalError.system(call: "mkdir", path: prefix, errno: errno) }
        }
    }

    static func entries(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw JournalError.system(call: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func sync(_ path: String) throws {
        let directory = try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY)
        try directory.syncAll()
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw JournalError.system(call: "rename", path: "\(from) -> \(to)", errno: errno) }
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw JournalError.system(call: "unlink", path: path, errno: errno) }
    }
}

/// Linux's O_DIRECT, which Glibc's Swift module hides (it needs _GNU_SOURCE).
#if arch(x86_64) || arch(i386)
let O_DIRECT: Int32 = 0o40000
#else
let O_DIRECT: Int32 = 0o200000
#endif

@inline(__always)
func retryingEINTR<Result: BinaryInteger>(_ call: () -> Result) -> Result {
    while true {
        let result = call()
        if result < 0 && errno == EINTR { continue }
        return result
    }
}
