import JBRCore
import NIOCore

/// One step of a full resync's manifest: the leader's tree at one applied position, as the
/// operations that rebuild it on an empty store (objects by GFID, hard links, xattrs, owners and
/// permissions), each object's applied stamp and times, and which files' bytes to fetch.
///
/// Operations because the store already applies them confined and checked: a manifest cannot
/// make the follower do anything an operation from the journal could not.
enum ResyncStep: Hashable, Sendable {
    /// Makes an object (create, mkdir, mknod, symlink), links one again, or sets an xattr, owner
    /// or permissions.
    case operation(FileOperation)
    /// The object's applied stamp at the manifest's position.
    case stamp(GFID, JournalIndex)
    /// Times to set once everything is in place (creating entries changes a directory's).
    case times(GFID, access: Timestamp, modification: Timestamp)
    /// A regular file whose bytes are fetched after the manifest (they may have changed since:
    /// the journal replayed after the manifest's position rewrites every change).
    case content(GFID, size: UInt64)
}

extension ResyncStep: BinaryCodable {
    func encode(to buffer: inout ByteBuffer) {
        switch self {
        case let .operation(operation):
            buffer.writeLittleEndian(UInt8(1))
            buffer.write(operation)
        case let .stamp(gfid, index):
            buffer.writeLittleEndian(UInt8(2))
            buffer.write(gfid)
            buffer.write(index)
        case let .times(gfid, access, modification):
            buffer.writeLittleEndian(UInt8(3))
            buffer.write(gfid)
            buffer.write(access)
            buffer.write(modification)
        case let .content(gfid, size):
            buffer.writeLittleEndian(UInt8(4))
            buffer.write(gfid)
            buffer.writeLittleEndian(size)
        }
    }

    init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        switch try buffer.readLittleEndian(UInt8.self, field: "resync step") {
        case 1: self = .operation(try FileOperation(from: &buffer))
        case 2: self = .stamp(try GFID(from: &buffer), try JournalIndex(from: &buffer))
        case 3: self = .times(try GFID(from: &buffer), access: try Timestamp(from: &buffer), modification: try Timestamp(from: &buffer))
        case 4: self = .content(try GFID(from: &buffer), size: try buffer.readLittleEndian(UInt64.self, field: "size"))
        case let tag: throw DecodingError(.unknownTag(type: "resync step", tag: UInt64(tag)), offset: offset)
        }
    }
}
