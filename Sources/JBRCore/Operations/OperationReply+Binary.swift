import NIOCore

extension OperationReply: BinaryCodable {
    /// Fixed forever: a new reply shape takes a new number.
    enum Tag: UInt8 {
        case done = 1, attributes = 2, written = 3, data = 4, directory = 5, linkTarget = 6
        case xattrValue = 7, xattrNames = 8, fileSystem = 9
    }

    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case .done:
            buffer.writeLittleEndian(Tag.done.rawValue)
        case let .attributes(attributes):
            buffer.writeLittleEndian(Tag.attributes.rawValue)
            buffer.write(attributes)
        case let .written(byteCount, attributes):
            buffer.writeLittleEndian(Tag.written.rawValue)
            buffer.writeLittleEndian(byteCount)
            buffer.write(attributes)
        case let .data(data, endOfFile):
            precondition(data.readableBytes <= CodecLimits.maxDataBytes, "read reply of \(data.readableBytes) bytes over the limit")
            buffer.writeLittleEndian(Tag.data.rawValue)
            buffer.writeLengthPrefixed(buffer: data)
            buffer.writeBool(endOfFile)
        case let .directory(page):
            buffer.writeLittleEndian(Tag.directory.rawValue)
            buffer.write(page)
        case let .linkTarget(target):
            buffer.writeLittleEndian(Tag.linkTarget.rawValue)
            buffer.write(target)
        case let .xattrValue(value):
            buffer.writeLittleEndian(Tag.xattrValue.rawValue)
            buffer.write(value)
        case let .xattrNames(names):
            precondition(names.count <= CodecLimits.maxXattrNames)
            buffer.writeLittleEndian(Tag.xattrNames.rawValue)
            buffer.writeArray(names) { $0.write($1) }
        case let .fileSystem(stats):
            buffer.writeLittleEndian(Tag.fileSystem.rawValue)
            buffer.write(stats)
        }
    }

    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        switch try buffer.readEnum(Tag.self, field: "operation reply") {
        case .done:
            self = .done
        case .attributes:
            self = .attributes(try FileAttributes(from: &buffer))
        case .written:
            self = .written(byteCount: try buffer.readLittleEndian(UInt32.self, field: "byte count"), attributes: try FileAttributes(from: &buffer))
        case .data:
            self = .data(
                try buffer.readLengthPrefixedBuffer(limit: CodecLimits.maxDataBytes, field: "read data"),
                endOfFile: try buffer.readBool(field: "end of file"))
        case .directory:
            self = .directory(try DirectoryPage(from: &buffer))
        case .linkTarget:
            self = .linkTarget(try SymlinkTarget(from: &buffer))
        case .xattrValue:
            self = .xattrValue(try XattrValue(from: &buffer))
        case .xattrNames:
            self = .xattrNames(
                try buffer.readArray(limit: CodecLimits.maxXattrNames, field: "xattr names") { buffer throws(DecodingError) in
                    try XattrName(from: &buffer)
                })
        case .fileSystem:
            self = .fileSystem(try FileSystemStats(from: &buffer))
        }
    }
}

extension Result: BinaryEncodable where Success == OperationReply, Failure == JBRError {
    public func encode(to buffer: inout ByteBuffer) {
        switch self {
        case let .success(reply):
            buffer.writeLittleEndian(UInt8(0))
            buffer.write(reply)
        case let .failure(error):
            buffer.writeLittleEndian(UInt8(1))
            buffer.write(error)
        }
    }
}

extension Result: BinaryDecodable where Success == OperationReply, Failure == JBRError {
    public init(from buffer: inout ByteBuffer) throws(DecodingError) {
        let offset = buffer.readerIndex
        switch try buffer.readLittleEndian(UInt8.self, field: "result") {
        case 0: self = .success(try OperationReply(from: &buffer))
        case 1: self = .failure(try JBRError(from: &buffer))
        case let tag: throw DecodingError(.unknownTag(type: "result", tag: UInt64(tag)), offset: offset)
        }
    }
}
