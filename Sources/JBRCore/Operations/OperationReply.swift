import NIOCore

/// What a successful operation answers. Failures are `JBRError`; an operation's outcome is
/// `OperationResult`.
public enum OperationReply: Hashable, Sendable {
    /// Success with nothing to report (unlink, rmdir, rename, setxattr, removexattr).
    case done
    /// The object's attributes after the operation (lookup, stat, create, mkdir, mknod,
    /// symlink, link, setattr, truncate, fallocate, discard, zerofill).
    case attributes(FileAttributes)
    case written(byteCount: UInt32, attributes: FileAttributes)
    case data(ByteBuffer, endOfFile: Bool)
    case directory(DirectoryPage)
    case linkTarget(SymlinkTarget)
    case xattrValue(XattrValue)
    case xattrNames([XattrName])
    case fileSystem(FileSystemStats)
}

/// The outcome of one operation, as the server answers it and the journal's dedup table
/// remembers it.
public typealias OperationResult = Result<OperationReply, JBRError>
