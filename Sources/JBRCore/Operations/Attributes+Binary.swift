import NIOCore

extension FileAttributes: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(gfid)
        buffer.writeLittleEndian(type.rawValue)
        buffer.writeLittleEndian(permissions)
        buffer.writeLittleEndian(linkCount)
        buffer.write(owner)
        buffer.writeLittleEndian(size)
        buffer.writeLittleEndian(blocks)
        buffer.write(accessTime)
        buffer.write(modificationTime)
        buffer.write(changeTime)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(
            gfid: try GFID(from: &buffer),
            type: try buffer.readEnum(FileType.self, field: "file type"),
            permissions: try buffer.readPermissions(),
            linkCount: try buffer.readLittleEndian(UInt32.self, field: "link count"),
            owner: try Owner(from: &buffer),
            size: try buffer.readLittleEndian(UInt64.self, field: "size"),
            blocks: try buffer.readLittleEndian(UInt64.self, field: "blocks"),
            accessTime: try Timestamp(from: &buffer),
            modificationTime: try Timestamp(from: &buffer),
            changeTime: try Timestamp(from: &buffer)
        )
    }
}

extension FileSystemStats: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeLittleEndian(blockSize)
        buffer.writeLittleEndian(totalBlocks)
        buffer.writeLittleEndian(freeBlocks)
        buffer.writeLittleEndian(availableBlocks)
        buffer.writeLittleEndian(totalFiles)
        buffer.writeLittleEndian(freeFiles)
        buffer.writeLittleEndian(maxNameLength)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(
            blockSize: try buffer.readLittleEndian(UInt32.self, field: "block size"),
            totalBlocks: try buffer.readLittleEndian(UInt64.self, field: "total blocks"),
            freeBlocks: try buffer.readLittleEndian(UInt64.self, field: "free blocks"),
            availableBlocks: try buffer.readLittleEndian(UInt64.self, field: "available blocks"),
            totalFiles: try buffer.readLittleEndian(UInt64.self, field: "total files"),
            freeFiles: try buffer.readLittleEndian(UInt64.self, field: "free files"),
            maxNameLength: try buffer.readLittleEndian(UInt32.self, field: "max name length")
        )
    }
}

extension DirectoryEntry: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.write(name)
        buffer.write(attributes)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(name: try FileName(from: &buffer), attributes: try FileAttributes(from: &buffer))
    }
}

extension DirectoryPage: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeArray(entries) { $0.write($1) }
        buffer.writeLittleEndian(nextCookie)
        buffer.writeBool(isLastPage)
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let entries = try buffer.readArray(limit: CodecLimits.maxDirectoryEntries, field: "directory entries") { buffer throws(DecodingError) in
            try DirectoryEntry(from: &buffer)
        }
        self.init(
            entries: entries,
            nextCookie: try buffer.readLittleEndian(UInt64.self, field: "next cookie"),
            isLastPage: try buffer.readBool(field: "last page")
        )
    }
}

extension SetAttributes: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        buffer.writeOptional(permissions) { $0.writeLittleEndian($1) }
        buffer.writeOptional(uid) { $0.writeLittleEndian($1) }
        buffer.writeOptional(gid) { $0.writeLittleEndian($1) }
        buffer.writeOptional(accessTime) { $0.write($1) }
        buffer.writeOptional(modificationTime) { $0.write($1) }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        self.init(
            permissions: try buffer.readOptional(field: "permissions") { buffer throws(DecodingError) in try buffer.readPermissions() },
            uid: try buffer.readOptional(field: "uid") { buffer throws(DecodingError) in try buffer.readLittleEndian(UInt32.self, field: "uid") },
            gid: try buffer.readOptional(field: "gid") { buffer throws(DecodingError) in try buffer.readLittleEndian(UInt32.self, field: "gid") },
            accessTime: try buffer.readOptional(field: "access time") { buffer throws(DecodingError) in try TimeUpdate(from: &buffer) },
            modificationTime: try buffer.readOptional(field: "modification time") { buffer throws(DecodingError) in try TimeUpdate(from: &buffer) }
        )
    }
}

extension TimeUpdate: BinaryCodable {
    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .sequencingTime:
            buffer.writeLittleEndian(UInt8(0))
        case let .exact(timestamp):
            buffer.writeLittleEndian(UInt8(1))
            buffer.write(timestamp)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        switch try buffer.readLittleEndian(UInt8.self, field: "time update") {
        case 0: self = .sequencingTime
        case 1: self = .exact(try Timestamp(from: &buffer))
        case let tag: throw DecodingError(.unknownTag(type: "time update", tag: UInt64(tag)), offset: offset)
        }
    }
}
