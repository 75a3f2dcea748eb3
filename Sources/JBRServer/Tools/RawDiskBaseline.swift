import Foundation

/// The raw limit of a disk for the journal's pattern: sequential `pwrite`s of `batchBytes`, one
/// `fdatasync` after each, for `seconds`.
struct RawDiskBaseline {
    var directory: String
    var batchBytes: Int
    var seconds: Double
    /// Bytes the file spans; writes wrap around inside it. The journal's own volume keeps the
    /// preallocation (untimed) from dwarfing the measurement.
    var spanBytes: Int

    struct Measurement {
        var megabytesPerSecond: Double
        var syncsPerSecond: Double
    }

    /// With `preallocated`, the file is written full of zeros first (untimed, then dropped from
    /// the page cache), so the timed writes overwrite allocated blocks; otherwise every sync also
    /// grows the file.
    func measure(preallocated: Bool) throws -> Measurement {
        let path = directory + "/raw-\(preallocated ? "preallocated" : "appending")"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer {
            close(fd)
            unlink(path)
        }
        let batch = BenchmarkBodies.make(seed: 99, bytes: batchBytes, compressible: false)
        let span = max(batchBytes * 64, spanBytes)
        if preallocated {
            let zeros = [UInt8](repeating: 0, count: 1 << 20)
            var offset = 0
            while offset < span {
                guard pwrite(fd, zeros, zeros.count, off_t(offset)) == zeros.count else { throw POSIXError(.EIO) }
                offset += zeros.count
            }
            fsync(fd)
            // Start from what the disk holds, not from pages the zero-fill left in memory: the
            // journal's segments are preallocated with O_DIRECT and start uncached too.
            _ = posix_fadvise(fd, 0, off_t(span), POSIX_FADV_DONTNEED)
        }
        let deadline = ContinuousClock.now + .nanoseconds(Int64(seconds * 1e9))
        let start = ContinuousClock.now
        var offset = 0
        var syncs = 0
        while ContinuousClock.now < deadline {
            if offset + batchBytes > span { offset = 0 }
            guard pwrite(fd, batch, batchBytes, off_t(offset)) == batchBytes else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            guard fdatasync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += batchBytes
            syncs += 1
        }
        let seconds = (ContinuousClock.now - start).seconds
        return Measurement(megabytesPerSecond: Double(syncs * batchBytes) / seconds / 1e6, syncsPerSecond: Double(syncs) / seconds)
    }
}
