#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small store files replaced atomically: write a temporary file, fsync it, rename it over the
/// old one, fsync the directory. A crash leaves the old contents or the new, never a mix; a
/// failure (a full disk) leaves the old file as it was.
enum AtomicFile {
    static func replace(_ name: [UInt8], in directory: StoreDescriptor, with bytes: [UInt8]) throws(StoreError) {
        let temporary = name + Array(".tmp".utf8)
        do throws(StoreError) {
            let file = try directory.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
            try file.write(bytes, at: 0)
            try file.sync()
            try directory.rename(temporary, into: directory, as: name, noReplace: false)
        } catch {
            try? directory.removeEntry(temporary, isDirectory: false)
            throw error
        }
        try directory.sync()
    }

    /// The whole contents of `name` (at most `maxBytes`), or nil if there is no such file.
    static func read(_ name: [UInt8], in directory: StoreDescriptor, maxBytes: Int = 4096) throws(StoreError) -> [UInt8]? {
        let file: StoreDescriptor
        do throws(StoreError) {
            file = try directory.open(name, flags: O_RDONLY)
        } catch where error.errno == ENOENT {
            return nil
        }
        let bytes = try file.read(count: maxBytes + 1, at: 0)
        guard bytes.count <= maxBytes else { throw .damaged("\(directory.subject(name)) is longer than \(maxBytes) bytes") }
        return bytes
    }
}
