#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// Which errno values describe the request (every replica, holding the same tree, gets the same
/// one) and which describe this brick's disk (the operation did not happen here and must not be
/// acknowledged).
enum ErrnoClassification: Equatable {
    case outcome(JBRError.Code)
    case failure(JBRError.Code)

    /// Errno values that follow from the tree and the request alone.
    static let deterministic: Set<Int32> = [
        EPERM, ENOENT, EEXIST, ENOTDIR, EISDIR, EINVAL, EFBIG, EMLINK, ENAMETOOLONG, ENOTEMPTY,
        ELOOP, ENODATA, ERANGE, E2BIG, EOPNOTSUPP, EXDEV, EBUSY, ESTALE, EOVERFLOW,
    ]

    /// ENOSPC and EDQUOT keep their codes so the client learns the disk is full; everything
    /// else that is not deterministic (EIO, EROFS, ENOMEM, EMFILE, EACCES on the store's own
    /// files…) is reported as EIO, with the real errno in the detail.
    static func classify(_ code: Int32) -> ErrnoClassification {
        if deterministic.contains(code) { return .outcome(JBRError.Code(rawValue: UInt16(code))) }
        switch code {
        case ENOSPC: return .failure(.ENOSPC)
        case EDQUOT: return .failure(.EDQUOT)
        default: return .failure(.EIO)
        }
    }
}
