import JBRCore
import NIOCore

/// The session table persisted with each checkpoint: `.jbr/store/sessions`, replaced atomically
/// just before the applied mark moves, so it always covers at least the marked prefix.
enum SessionsFile {
    static let fileName = Array("sessions".utf8)

    static func persist(_ sessions: SessionTable, in directory: StoreDescriptor) throws(StoreFailure) {
        do throws(StoreError) {
            try AtomicFile.replace(fileName, in: directory, with: Array(sessions.encoded().readableBytesView))
        } catch {
            throw error.asFailure
        }
    }

    /// The persisted table, or a new one for a brick that has none yet. A damaged file is an
    /// error: without it, retries of requests the store holds could run again.
    static func load(in directory: StoreDescriptor, limit: Int) throws -> SessionTable {
        let file: StoreDescriptor
        do throws(StoreError) {
            file = try directory.open(fileName, flags: O_RDONLY)
        } catch where error.errno == ENOENT {
            return SessionTable(limit: limit)
        } catch {
            throw error.asFailure
        }
        let bytes: [UInt8]
        do throws(StoreError) {
            bytes = try file.read(count: Int(try file.status().st_size), at: 0)
        } catch {
            throw error.asFailure
        }
        do {
            return try SessionTable.decode(ByteBuffer(bytes: bytes))
        } catch {
            throw JBRError(.EIO, "session table \(directory.subject(fileName)) is damaged: \(error)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
