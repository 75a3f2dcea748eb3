/// Which extended attribute holds every object's GFID. Chosen once when the store is created
/// and recorded in `.jbr/store/format`; a store never changes it.
public enum IdentityNamespace: String, Hashable, Sendable, CaseIterable {
    /// `trusted.gfid`, as GlusterFS: only a process with CAP_SYS_ADMIN can set or read it.
    case trusted
    /// `user.jbr.gfid`, for a brick run without privileges. Linux allows user xattrs only on
    /// regular files and directories, so symlinks, FIFOs and sockets are identified through the
    /// inode index in `.jbr/store/inodes/` instead.
    case user

    var gfidAttribute: [UInt8] {
        switch self {
        case .trusted: Array("trusted.gfid".utf8)
        case .user: Array("user.jbr.gfid".utf8)
        }
    }

    /// Set on a file only while an append is applied: its journal index and the size the file
    /// has once the bytes are in (16 bytes, little-endian). See `MainStore.applyAppend`.
    var appendMarkAttribute: [UInt8] {
        switch self {
        case .trusted: Array("trusted.jbr.append".utf8)
        case .user: Array("user.jbr.append".utf8)
        }
    }

    /// The journal index of the last operation applied to the object (8 bytes, little-endian).
    var stampAttribute: [UInt8] {
        switch self {
        case .trusted: Array("trusted.jbr.applied".utf8)
        case .user: Array("user.jbr.applied".utf8)
        }
    }
}
