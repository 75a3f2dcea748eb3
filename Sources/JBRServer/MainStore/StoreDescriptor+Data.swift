#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// File contents and durability, for a descriptor of a regular file (or, for the syncs, of any
/// object).
extension StoreDescriptor {
    /// Writes all of `bytes` at `offset`, resuming after short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StoreError) {
        try aboutToChange("pwrite")
        var done = 0
        while done < bytes.count {
            let written = retryingInterrupted { pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
            guard written > 0 else { throw .system(call: "pwrite", subject: label, errno: written == 0 ? EIO : errno) }
            done += written
        }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: Int64) throws(StoreError) {
        var failure: StoreError?
        bytes.withUnsafeBytes { buffer in
            do throws(StoreError) { try write(buffer, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int64) throws(StoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var result: Result<Int, StoreError> = .success(0)
        bytes.withUnsafeMutableBytes { buffer in
            do throws(StoreError) { result = .success(try read(into: buffer, at: offset)) } catch { result = .failure(error) }
        }
        bytes.removeLast(count - (try result.get()))
        return bytes
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(StoreError) -> Int {
        var done = 0
        while done < buffer.count {
            let count = retryingInterrupted { pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done)) }
            guard count >= 0 else { throw .system(call: "pread", subject: label, errno: errno) }
            if count == 0 { break }
            done += count
        }
        return done
    }

    func truncate(to size: Int64) throws(StoreError) {
        try aboutToChange("ftruncate")
        try check(retryingInterrupted { ftruncate(fd, off_t(size)) }, "ftruncate")
    }

    /// `fallocate(2)` with `mode` (the FALLOC_FL_* flags).
    func allocate(mode: Int32, offset: Int64, length: Int64) throws(StoreError) {
        try aboutToChange("fallocate")
        try check(retryingInterrupted { LinuxCalls.fallocate(fd, mode, off_t(offset), off_t(length)) }, "fallocate")
    }

    func sync() throws(StoreError) {
        try check(retryingInterrupted { fsync(fd) }, "fsync")
    }

    /// Makes everything written to the file system holding this descriptor durable.
    func syncFileSystem() throws(StoreError) {
        try check(LinuxCalls.syncfs(fd), "syncfs")
    }

    func fileSystemStatus() throws(StoreError) -> statvfs {
        var info = statvfs()
        try check(fstatvfs(fd, &info), "fstatvfs")
        return info
    }
}
