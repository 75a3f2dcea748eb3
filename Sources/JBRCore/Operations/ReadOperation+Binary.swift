import NIOCore

extension ReadOperation: BinaryCodable {
    /// Fixed forever: a new read operation takes a new number.
    enum Tag: UInt8 {
        case lookup = 1, stat = 2, read = 3, readdir = 4, readlink = 5, getxattr = 6, listxattr = 7, statfs = 8
    }

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case let .lookup(location):
            buffer.writeLittleEndian(Tag.lookup.rawValue)
            buffer.write(location)
        case let .stat(gfid):
            buffer.writeLittleEndian(Tag.stat.rawValue)
            buffer.write(gfid)
        case let .read(gfid, offset, length):
            precondition(length <= CodecLimits.maxDataBytes, "read of \(length) bytes over the limit")
            buffer.writeLittleEndian(Tag.read.rawValue)
            buffer.write(gfid)
            buffer.writeLittleEndian(offset)
            buffer.writeLittleEndian(length)
        case let .readdir(gfid, cookie, maxEntries):
            precondition(maxEntries <= CodecLimits.maxDirectoryEntries, "readdir of \(maxEntries) entries over the limit")
            buffer.writeLittleEndian(Tag.readdir.rawValue)
            buffer.write(gfid)
            buffer.writeLittleEndian(cookie)
            buffer.writeLittleEndian(maxEntries)
        case let .readlink(gfid):
            buffer.writeLittleEndian(Tag.readlink.rawValue)
            buffer.write(gfid)
        case let .getxattr(gfid, name):
            buffer.writeLittleEndian(Tag.getxattr.rawValue)
            buffer.write(gfid)
            buffer.write(name)
        case let .listxattr(gfid):
            buffer.writeLittleEndian(Tag.listxattr.rawValue)
            buffer.write(gfid)
        case .statfs:
            buffer.writeLittleEndian(Tag.statfs.rawValue)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        switch try buffer.readEnum(Tag.self, field: "read operation") {
        case .lookup:
            self = .lookup(try EntryLocation(from: &buffer))
        case .stat:
            self = .stat(gfid: try GFID(from: &buffer))
        case .read:
            let gfid = try GFID(from: &buffer)
            let offset = try buffer.readLittleEndian(UInt64.self, field: "offset")
            let lengthOffset = buffer.readerIndex
            let length = try buffer.readLittleEndian(UInt32.self, field: "read length")
            guard length <= CodecLimits.maxDataBytes else {
                throw DecodingError(.overLimit(field: "read length", value: Int(length), limit: CodecLimits.maxDataBytes), offset: lengthOffset)
            }
            self = .read(gfid: gfid, offset: offset, length: length)
        case .readdir:
            let gfid = try GFID(from: &buffer)
            let cookie = try buffer.readLittleEndian(UInt64.self, field: "cookie")
            let countOffset = buffer.readerIndex
            let maxEntries = try buffer.readLittleEndian(UInt32.self, field: "max entries")
            guard maxEntries <= CodecLimits.maxDirectoryEntries else {
                throw DecodingError(.overLimit(field: "max entries", value: Int(maxEntries), limit: CodecLimits.maxDirectoryEntries), offset: countOffset)
            }
            self = .readdir(gfid: gfid, cookie: cookie, maxEntries: maxEntries)
        case .readlink:
            self = .readlink(gfid: try GFID(from: &buffer))
        case .getxattr:
            self = .getxattr(gfid: try GFID(from: &buffer), name: try XattrName(from: &buffer))
        case .listxattr:
            self = .listxattr(gfid: try GFID(from: &buffer))
        case .statfs:
            self = .statfs
        }
    }
}
