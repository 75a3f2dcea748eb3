import JBRCore

/// Operating errors of the journal: the disk said no, or the journal on disk is not one this
/// brick may start on. Programmer errors (a gap in appended indexes, truncating committed
/// records) are preconditions instead and stop the brick.
public enum JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A system call failed. ENOSPC and EDQUOT arrive here.
    case system(call: String, path: String, errno: Int32)
    /// Damage before the tail, in data that had been made durable. Repair (from a peer) needed.
    case corruption(segment: String, offset: Int, expected: JournalIndex, reason: String)
    /// The directory holds something that is not a journal of this volume.
    case foreignJournal(path: String, reason: String)
    /// More bytes waiting for the disk than the configured backlog allows; retry later.
    case backlogFull(pendingBytes: Int, limit: Int)
    /// The journal was closed, or a previous write failed and it stopped accepting appends.
    case closed(reason: String)
    /// A read asked for a range that is not (or no longer) in the journal.
    case outOfRange(requested: JournalIndex, first: JournalIndex, last: JournalIndex)

    public var description: String {
        switch self {
        case let .system(call, path, errno):
            return "\(call) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        case let .corruption(segment, offset, expected, reason):
            return "journal damaged in \(segment) at byte \(offset) (record \(expected.rawValue) expected): \(reason); start with repair to cut it and fetch the range from a peer"
        case let .foreignJournal(path, reason):
            return "\(path) is not this brick's journal: \(reason)"
        case let .backlogFull(pending, limit):
            return "journal backlog of \(pending) bytes is over its limit of \(limit)"
        case let .closed(reason):
            return "journal closed: \(reason)"
        case let .outOfRange(requested, first, last):
            return "record \(requested.rawValue) is outside the journal (\(first.rawValue)...\(last.rawValue))"
        }
    }

    /// The error a client should see when this one stops a write.
    public var asOperationError: JBRError {
        switch self {
        case let .system(_, _, errno) where errno == ENOSPC: JBRError(.ENOSPC, "journal: \(description)")
        case let .system(_, _, errno) where errno == EDQUOT: JBRError(.EDQUOT, "journal: \(description)")
        case .backlogFull: JBRError(.overloaded, description)
        default: JBRError(.EIO, "journal: \(description)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
