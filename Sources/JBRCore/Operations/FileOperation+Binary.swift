import NIOCore

extension FileOperation: BinaryCodable {
    /// Wire and journal tags. Fixed forever: a new operation takes a new number.
    enum Tag: UInt8 {
        case create = 1, mkdir = 2, mknod = 3, symlink = 4, link = 5, unlink = 6, rmdir = 7, rename = 8
        case write = 9, truncate = 10, fallocate = 11, discard = 12, zerofill = 13
        case setattr = 14, setxattr = 15, removexattr = 16
        case append = 17
    }

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case let .create(location, gfid, permissions, owner, exclusive):
            buffer.writeLittleEndian(Tag.create.rawValue)
            buffer.write(location)
            buffer.write(gfid)
            buffer.writeLittleEndian(permissions)
            buffer.write(owner)
            buffer.writeBool(exclusive)
        case let .mkdir(location, gfid, permissions, owner):
            buffer.writeLittleEndian(Tag.mkdir.rawValue)
            buffer.write(location)
            buffer.write(gfid)
            buffer.writeLittleEndian(permissions)
            buffer.write(owner)
        case let .mknod(location, gfid, type, permissions, owner):
            buffer.writeLittleEndian(Tag.mknod.rawValue)
            buffer.write(location)
            buffer.write(gfid)
            buffer.writeLittleEndian(type.rawValue)
            buffer.writeLittleEndian(permissions)
            buffer.write(owner)
        case let .symlink(location, gfid, target, owner):
            buffer.writeLittleEndian(Tag.symlink.rawValue)
            buffer.write(location)
            buffer.write(gfid)
            buffer.write(target)
            buffer.write(owner)
        case let .link(gfid, location):
            buffer.writeLittleEndian(Tag.link.rawValue)
            buffer.write(gfid)
            buffer.write(location)
        case let .unlink(location, gfid):
            buffer.writeLittleEndian(Tag.unlink.rawValue)
            buffer.write(location)
            buffer.write(gfid)
        case let .rmdir(location, gfid):
            buffer.writeLittleEndian(Tag.rmdir.rawValue)
            buffer.write(location)
            buffer.write(gfid)
        case let .rename(gfid, from, to, noReplace):
            buffer.writeLittleEndian(Tag.rename.rawValue)
            buffer.write(gfid)
            buffer.write(from)
            buffer.write(to)
            buffer.writeBool(noReplace)
        case let .write(gfid, offset, data):
            precondition(data.readableBytes <= CodecLimits.maxDataBytes, "write of \(data.readableBytes) bytes over the limit")
            buffer.writeLittleEndian(Tag.write.rawValue)
            buffer.write(gfid)
            buffer.writeLittleEndian(offset)
            buffer.writeLengthPrefixed(buffer: data)
        case let .append(gfid, data):
            precondition(data.readableBytes <= CodecLimits.maxDataBytes, "append of \(data.readableBytes) bytes over the limit")
            buffer.writeLittleEndian(Tag.append.rawValue)
            buffer.write(gfid)
            buffer.writeLengthPrefixed(buffer: data)
        case let .truncate(gfid, size):
            buffer.writeLittleEndian(Tag.truncate.rawValue)
            buffer.write(gfid)
            buffer.writeLittleEndian(size)
        case let .fallocate(gfid, offset, length, keepSize):
            buffer.writeLittleEndian(Tag.fallocate.rawValue)
            buffer.write(gfid)
            buffer.writeLittleEndian(offset)
            buffer.writeLittleEndian(length)
            buffer.writeBool(keepSize)
        case let .discard(gfid, offset, length):
            buffer.writeLittleEndian(Tag.discard.rawValue)
            encodeRange(gfid, offset, length, to: &buffer)
        case let .zerofill(gfid, offset, length):
            buffer.writeLittleEndian(Tag.zerofill.rawValue)
            encodeRange(gfid, offset, length, to: &buffer)
        case let .setattr(gfid, attributes):
            buffer.writeLittleEndian(Tag.setattr.rawValue)
            buffer.write(gfid)
            buffer.write(attributes)
        case let .setxattr(gfid, name, value, mode):
            buffer.writeLittleEndian(Tag.setxattr.rawValue)
            buffer.write(gfid)
            buffer.write(name)
            buffer.write(value)
            buffer.writeLittleEndian(mode.rawValue)
        case let .removexattr(gfid, name):
            buffer.writeLittleEndian(Tag.removexattr.rawValue)
            buffer.write(gfid)
            buffer.write(name)
        }
    }

    private func encodeRange(_ gfid: GFID, _ offset: UInt64, _ length: UInt64, to buffer: inout ByteBuffer) {
        buffer.write(gfid)
        buffer.writeLittleEndian(offset)
        buffer.writeLittleEndian(length)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let tag = try buffer.readEnum(Tag.self, field: "file operation")
        switch tag {
        case .create:
            self = .create(
                try EntryLocation(from: &buffer), gfid: try GFID(from: &buffer), permissions: try buffer.readPermissions(),
                owner: try Owner(from: &buffer), exclusive: try buffer.readBool(field: "exclusive"))
        case .mkdir:
            self = .mkdir(
                try EntryLocation(from: &buffer), gfid: try GFID(from: &buffer), permissions: try buffer.readPermissions(),
                owner: try Owner(from: &buffer))
        case .mknod:
            self = .mknod(
                try EntryLocation(from: &buffer), gfid: try GFID(from: &buffer),
                type: try buffer.readEnum(SpecialFileType.self, field: "special file type"),
                permissions: try buffer.readPermissions(), owner: try Owner(from: &buffer))
        case .symlink:
            self = .symlink(
                try EntryLocation(from: &buffer), gfid: try GFID(from: &buffer), target: try SymlinkTarget(from: &buffer),
                owner: try Owner(from: &buffer))
        case .link:
            self = .link(gfid: try GFID(from: &buffer), to: try EntryLocation(from: &buffer))
        case .unlink:
            self = .unlink(try EntryLocation(from: &buffer), gfid: try GFID(from: &buffer))
        case .rmdir:
            self = .rmdir(try EntryLocation(from: &buffer), gfid: try GFID(from: &buffer))
        case .rename:
            self = .rename(
                gfid: try GFID(from: &buffer), from: try EntryLocation(from: &buffer), to: try EntryLocation(from: &buffer),
                noReplace: try buffer.readBool(field: "no-replace"))
        case .write:
            self = .write(
                gfid: try GFID(from: &buffer), offset: try buffer.readLittleEndian(UInt64.self, field: "offset"),
                data: try buffer.readLengthPrefixedBuffer(limit: CodecLimits.maxDataBytes, field: "write data"))
        case .append:
            self = .append(gfid: try GFID(from: &buffer), data: try buffer.readLengthPrefixedBuffer(limit: CodecLimits.maxDataBytes, field: "append data"))
        case .truncate:
            self = .truncate(gfid: try GFID(from: &buffer), size: try buffer.readLittleEndian(UInt64.self, field: "size"))
        case .fallocate:
            self = .fallocate(
                gfid: try GFID(from: &buffer), offset: try buffer.readLittleEndian(UInt64.self, field: "offset"),
                length: try buffer.readLittleEndian(UInt64.self, field: "length"), keepSize: try buffer.readBool(field: "keep size"))
        case .discard:
            self = .discard(
                gfid: try GFID(from: &buffer), offset: try buffer.readLittleEndian(UInt64.self, field: "offset"),
                length: try buffer.readLittleEndian(UInt64.self, field: "length"))
        case .zerofill:
            self = .zerofill(
                gfid: try GFID(from: &buffer), offset: try buffer.readLittleEndian(UInt64.self, field: "offset"),
                length: try buffer.readLittleEndian(UInt64.self, field: "length"))
        case .setattr:
            self = .setattr(gfid: try GFID(from: &buffer), try SetAttributes(from: &buffer))
        case .setxattr:
            self = .setxattr(
                gfid: try GFID(from: &buffer), name: try XattrName(from: &buffer), value: try XattrValue(from: &buffer),
                mode: try buffer.readEnum(XattrSetMode.self, field: "xattr set mode"))
        case .removexattr:
            self = .removexattr(gfid: try GFID(from: &buffer), name: try XattrName(from: &buffer))
        }
    }
}
