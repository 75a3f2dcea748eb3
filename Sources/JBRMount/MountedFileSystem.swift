import CFUSE3
#if canImport(Glibc)
import Glibc
#endif
import JBRClient
import JBRCore
import Logging
import NIOCore
import Synchronization

/// The volume as the kernel's FUSE requests see it: node ids for GFIDs, handles for open files,
/// and every request carried out through `VolumeClient`, which finds the leader and retries
/// across leader changes with the same request id (so a program's operation blocks through a
/// failover and happens once).
///
/// A request's callback returns at once; its work runs as a task on the client's event loop and
/// answers the kernel when done, so requests proceed concurrently.
final class MountedFileSystem: Sendable {
    let client: VolumeClient
    let options: MountOptions
    let logger: Logger
    let nodes = Mutex(NodeTable())
    let files = Mutex(OpenFiles())
    /// Requests taken and not yet answered: the session may not be destroyed under them.
    let unanswered = Atomic<Int>(0)

    init(client: VolumeClient, options: MountOptions, logger: Logger) {
        self.client = client
        self.options = options
        self.logger = logger
    }

    /// Runs `work` for `request` on the client's loop; a thrown error answers the kernel with
    /// its errno.
    func serve(_ request: FuseRequest, _ what: String, _ work: @escaping @Sendable () async throws -> Void) {
        unanswered.add(1, ordering: .relaxed)
        Task(executorPreference: client.executor) { [self] in
            defer { unanswered.subtract(1, ordering: .releasing) }
            do {
                try await work()
            } catch {
                let errorNumber = Self.errorNumber(for: error)
                if errorNumber != ENOENT && errorNumber != ENODATA && errorNumber != EEXIST {
                    logger.info("\(what) failed: \(error)")
                }
                request.fail(errorNumber)
            }
        }
    }

    /// A change, refused at once on a read-only mount.
    func change(_ request: FuseRequest, _ what: String, _ work: @escaping @Sendable () async throws -> Void) {
        guard !options.readOnly else { return request.fail(EROFS) }
        serve(request, what, work)
    }

    static func errorNumber(for error: any Error) -> Int32 {
        if let error = error as? JBRError { return error.code.posixErrno }
        if error is CancellationError { return EINTR }
        return EIO
    }

    // MARK: Nodes

    /// The GFID of a node the kernel names; a node it already forgot is stale.
    func gfid(_ node: fuse_ino_t) throws(JBRError) -> GFID {
        guard let gfid = nodes.withLock({ $0.gfid(of: UInt64(node)) }) else {
            throw JBRError(.ESTALE, "node \(node) is not known (forgotten)")
        }
        return gfid
    }

    func location(_ parent: fuse_ino_t, _ name: [UInt8]) throws(JBRError) -> EntryLocation {
        EntryLocation(parent: try gfid(parent), name: try FileName(validating: name))
    }

    /// Answers with an entry the kernel now holds one more lookup on.
    func reply(_ request: FuseRequest, entry attributes: FileAttributes) {
        let node = nodes.withLock { $0.remember(attributes.gfid) }
        request.entry(node: node, attributes, options: options)
    }

    // MARK: Calls

    func attributes(_ reply: OperationReply, of what: String) throws -> FileAttributes {
        switch reply {
        case let .attributes(attributes), let .written(_, attributes): return attributes
        default: throw JBRError(.EIO, "\(what) answered with something other than attributes")
        }
    }

    func lookup(_ location: EntryLocation) async throws -> FileAttributes {
        try attributes(try await client.read(.lookup(location)), of: "lookup")
    }

    func stat(_ gfid: GFID) async throws -> FileAttributes {
        try attributes(try await client.read(.stat(gfid: gfid)), of: "stat")
    }

    func modify(_ operation: FileOperation) async throws -> OperationReply {
        try await client.write(operation)
    }
}

/// A C string the kernel passed, copied before the callback returns (libfuse reuses the buffer).
func bytes(of text: UnsafePointer<CChar>?) -> [UInt8] {
    guard let text else { return [] }
    return Array(UnsafeRawBufferPointer(start: text, count: strlen(text)))
}
