extension JBRError {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// Replication codes start here; below are POSIX errno values (Linux numbering).
        public static let firstReplicationCode: UInt16 = 1000

        public var isReplication: Bool { rawValue >= Code.firstReplicationCode }

        // POSIX, by Linux errno number.
        public static let EPERM = Code(rawValue: 1)
        public static let ENOENT = Code(rawValue: 2)
        public static let EIO = Code(rawValue: 5)
        public static let E2BIG = Code(rawValue: 7)
        public static let EBADF = Code(rawValue: 9)
        public static let EAGAIN = Code(rawValue: 11)
        public static let EACCES = Code(rawValue: 13)
        public static let EBUSY = Code(rawValue: 16)
        public static let EEXIST = Code(rawValue: 17)
        public static let EXDEV = Code(rawValue: 18)
        public static let ENODEV = Code(rawValue: 19)
        public static let ENOTDIR = Code(rawValue: 20)
        public static let EISDIR = Code(rawValue: 21)
        public static let EINVAL = Code(rawValue: 22)
        public static let EFBIG = Code(rawValue: 27)
        public static let ENOSPC = Code(rawValue: 28)
        public static let EROFS = Code(rawValue: 30)
        public static let EMLINK = Code(rawValue: 31)
        public static let ERANGE = Code(rawValue: 34)
        public static let ENAMETOOLONG = Code(rawValue: 36)
        public static let ENOTEMPTY = Code(rawValue: 39)
        public static let ELOOP = Code(rawValue: 40)
        public static let ENODATA = Code(rawValue: 61)
        public static let EOVERFLOW = Code(rawValue: 75)
        public static let EOPNOTSUPP = Code(rawValue: 95)
        public static let ESTALE = Code(rawValue: 116)
        public static let EDQUOT = Code(rawValue: 122)

        // Replication and protocol.
        /// This brick does not lead its replica set; see `leaderHint`.
        public static let notLeader = Code(rawValue: 1000)
        /// Fewer than a majority of the replica set could make the write durable in time.
        public static let noQuorum = Code(rawValue: 1001)
        /// The message's term is older than the receiver's; see `term`.
        public static let staleTerm = Code(rawValue: 1002)
        /// The leader refuses more work until in-flight work drains; retry later.
        public static let overloaded = Code(rawValue: 1003)
        /// The peer belongs to another volume.
        public static let wrongVolume = Code(rawValue: 1004)
        /// The handshake's proof of the volume secret was wrong, or the address is not allowed.
        public static let authenticationFailed = Code(rawValue: 1005)
        /// A frame or message broke the protocol (bad magic, checksum, order or layout).
        public static let protocolViolation = Code(rawValue: 1006)
        /// A frame above the configured maximum size.
        public static let frameTooLarge = Code(rawValue: 1007)
        /// More requests in flight on one connection than the configured maximum.
        public static let tooManyInFlight = Code(rawValue: 1008)
        /// No protocol version in common.
        public static let unsupportedVersion = Code(rawValue: 1009)
        /// The brick is stopping and takes no new work.
        public static let shuttingDown = Code(rawValue: 1010)
        /// No answer within the operation's time limit.
        public static let timedOut = Code(rawValue: 1011)
        /// The connection ended before the operation finished; reconnect and retry with the
        /// same request id.
        public static let connectionClosed = Code(rawValue: 1012)
        /// The request was applied, but its result was lost when the answering brick restarted
        /// (it is kept only from the brick's last checkpoint on): the operation took effect
        /// once, and whether it succeeded is not known. Not retried; POSIX callers see `EIO`.
        public static let resultUnknown = Code(rawValue: 1013)

        private static let names: [UInt16: String] = [
            1: "EPERM", 2: "ENOENT", 5: "EIO", 7: "E2BIG", 9: "EBADF", 11: "EAGAIN", 13: "EACCES", 16: "EBUSY",
            17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 27: "EFBIG", 28: "ENOSPC",
            30: "EROFS", 31: "EMLINK", 34: "ERANGE", 36: "ENAMETOOLONG", 39: "ENOTEMPTY", 40: "ELOOP",
            61: "ENODATA", 75: "EOVERFLOW", 95: "EOPNOTSUPP", 116: "ESTALE", 122: "EDQUOT",
            1000: "not leader", 1001: "no quorum", 1002: "stale term", 1003: "overloaded", 1004: "wrong volume",
            1005: "authentication failed", 1006: "protocol violation", 1007: "frame too large",
            1008: "too many requests in flight", 1009: "unsupported protocol version", 1010: "shutting down",
            1011: "timed out", 1012: "connection closed", 1013: "result unknown",
        ]

        public var description: String { Code.names[rawValue] ?? "error code \(rawValue)" }

        /// The Linux errno a POSIX caller (the FUSE mount) should see for this code.
        ///
        /// Quorum loss is `EROFS`, as GlusterFS reports it; transient replication states are
        /// `EAGAIN` (the client library retries those itself before giving up); unknown codes are `EIO`.
        public var posixErrno: Int32 {
            if !isReplication { return Code.names[rawValue] == nil ? 5 : Int32(rawValue) }
            switch self {
            case .noQuorum: return 30  // EROFS
            case .notLeader, .staleTerm, .overloaded, .tooManyInFlight: return 11  // EAGAIN
            case .authenticationFailed: return 13  // EACCES
            case .wrongVolume: return 22  // EINVAL
            case .protocolViolation: return 71  // EPROTO
            case .frameTooLarge: return 90  // EMSGSIZE
            case .unsupportedVersion: return 93  // EPROTONOSUPPORT
            case .shuttingDown, .connectionClosed: return 107  // ENOTCONN
            case .timedOut: return 110  // ETIMEDOUT
            default: return 5  // EIO
            }
        }
    }
}
