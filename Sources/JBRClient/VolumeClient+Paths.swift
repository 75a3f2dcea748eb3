import JBRCore
import NIOCore

/// Paths over the GFID-addressed operations: each component looked up from the root.
extension VolumeClient {
    /// The attributes of the object at `path` ("/" is the root).
    public func attributes(of path: String) async throws -> FileAttributes {
        var current = try await stat(.root)
        for component in try Self.components(path) {
            guard case let .attributes(next) = try await read(.lookup(EntryLocation(parent: current.gfid, name: component))) else {
                throw JBRError(.EIO, "lookup answered with something other than attributes")
            }
            current = next
        }
        return current
    }

    public func stat(_ gfid: GFID) async throws -> FileAttributes {
        guard case let .attributes(attributes) = try await read(.stat(gfid: gfid)) else { throw JBRError(.EIO, "stat answered with something other than attributes") }
        return attributes
    }

    /// The parent directory's GFID and the last component of `path`.
    public func location(of path: String) async throws -> EntryLocation {
        var components = try Self.components(path)
        guard let name = components.popLast() else { throw JBRError(.EINVAL, "the root has no parent") }
        let parent = try await attributes(of: "/" + components.map(\.description).joined(separator: "/"))
        guard parent.type == .directory else { throw JBRError(.ENOTDIR, "\(path): a parent is not a directory") }
        return EntryLocation(parent: parent.gfid, name: name)
    }

    @discardableResult
    public func makeDirectory(_ path: String, permissions: UInt16 = 0o755, owner: Owner = Owner(uid: 0, gid: 0)) async throws -> FileAttributes {
        let location = try await location(of: path)
        guard case let .attributes(attributes) = try await write(.mkdir(location, gfid: .null, permissions: permissions, owner: owner)) else {
            throw JBRError(.EIO, "mkdir answered with something other than attributes")
        }
        return attributes
    }

    /// Creates (or truncates) `path` and writes `data` into it, 1 MiB per operation.
    public func writeFile(_ path: String, data: [UInt8], permissions: UInt16 = 0o644, owner: Owner = Owner(uid: 0, gid: 0)) async throws {
        let file = try await openFile(path, permissions: permissions, owner: owner)
        _ = try await write(.truncate(gfid: file.gfid, size: 0))
        try await write(data, toFile: file.gfid, at: 0)
    }

    /// The regular file at `path`, created first if the name is free (an existing file is kept
    /// as it is; any other kind of object is an error).
    public func openFile(_ path: String, permissions: UInt16 = 0o644, owner: Owner = Owner(uid: 0, gid: 0)) async throws -> FileAttributes {
        let location = try await location(of: path)
        guard case let .attributes(file) = try await write(.create(location, gfid: .null, permissions: permissions, owner: owner, exclusive: false)) else {
            throw JBRError(.EIO, "create answered with something other than attributes")
        }
        return file
    }

    /// Writes `data` into file `gfid` from `offset`, 1 MiB per operation.
    public func write(_ data: some Collection<UInt8>, toFile gfid: GFID, at offset: UInt64) async throws {
        let bytes = Array(data)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Self.chunkBytes)
            _ = try await write(.write(gfid: gfid, offset: offset + UInt64(start), data: ByteBuffer(bytes: bytes[start..<end])))
            start = end
        }
    }

    /// Appends `data` to file `gfid` as one operation (O_APPEND): the bytes land at the end of
    /// the file as it is when the leader applies them, so concurrent appenders never overwrite
    /// each other. Returns the file's attributes after it (its size is where the bytes end).
    @discardableResult
    public func append(_ data: some Collection<UInt8>, toFile gfid: GFID) async throws -> FileAttributes {
        guard data.count <= CodecLimits.maxDataBytes else {
            throw JBRError(.E2BIG, "an append of \(data.count) bytes is over the \(CodecLimits.maxDataBytes) bytes one operation carries")
        }
        guard case let .written(_, attributes) = try await write(.append(gfid: gfid, data: ByteBuffer(bytes: data))) else {
            throw JBRError(.EIO, "append answered with something other than a write")
        }
        return attributes
    }

    /// The whole contents of the file at `path`, read 1 MiB per operation.
    public func readFile(_ path: String) async throws -> [UInt8] {
        var contents: [UInt8] = []
        try await readFile(path) { contents += $0.readableBytesView }
        return contents
    }

    /// Reads the file at `path` from the start to its end, 1 MiB per operation, handing each
    /// chunk to `consume` in order; `consume` may throw to stop.
    public func readFile(_ path: String, into consume: (ByteBuffer) throws -> Void) async throws {
        let file = try await attributes(of: path)
        guard file.type == .regular else { throw JBRError(file.type == .directory ? .EISDIR : .EINVAL, "\(path) is not a regular file") }
        var offset: UInt64 = 0
        while true {
            guard case let .data(chunk, endOfFile) = try await read(.read(gfid: file.gfid, offset: offset, length: UInt32(Self.chunkBytes))) else {
                throw JBRError(.EIO, "read answered with something other than data")
            }
            try consume(chunk)
            offset += UInt64(chunk.readableBytes)
            if endOfFile || chunk.readableBytes == 0 { return }
        }
    }

    /// Sets the size of the file at `path`, cutting or zero-extending it.
    @discardableResult
    public func truncate(_ path: String, size: UInt64) async throws -> FileAttributes {
        let file = try await attributes(of: path)
        guard file.type == .regular else { throw JBRError(file.type == .directory ? .EISDIR : .EINVAL, "\(path) is not a regular file") }
        guard case let .attributes(attributes) = try await write(.truncate(gfid: file.gfid, size: size)) else {
            throw JBRError(.EIO, "truncate answered with something other than attributes")
        }
        return attributes
    }

    /// Sets the permission bits (mode & 0o7777) of the object at `path`.
    @discardableResult
    public func setPermissions(_ path: String, _ permissions: UInt16) async throws -> FileAttributes {
        guard permissions <= 0o7777 else { throw JBRError(.EINVAL, "mode \(String(permissions, radix: 8)) is not within 0...7777") }
        let object = try await attributes(of: path)
        guard case let .attributes(attributes) = try await write(.setattr(gfid: object.gfid, SetAttributes(permissions: permissions))) else {
            throw JBRError(.EIO, "setattr answered with something other than attributes")
        }
        return attributes
    }

    /// Sets the owner and/or group of the object at `path` (numeric ids; nil leaves one as it
    /// is). A symlink's own owner is changed, not its target's.
    public func setOwner(_ path: String, uid: UInt32?, gid: UInt32?) async throws -> FileAttributes {
        guard uid != nil || gid != nil else { throw JBRError(.EINVAL, "chown needs an owner, a group or both") }
        let object = try await attributes(of: path)
        guard case let .attributes(attributes) = try await write(.setattr(gfid: object.gfid, SetAttributes(uid: uid, gid: gid))) else {
            throw JBRError(.EIO, "setattr answered with something other than attributes")
        }
        return attributes
    }

    /// Every entry of the directory at `path`, with attributes.
    public func list(_ path: String) async throws -> [DirectoryEntry] {
        let directory = try await attributes(of: path)
        var entries: [DirectoryEntry] = []
        var cookie: UInt64 = 0
        while true {
            guard case let .directory(page) = try await read(.readdir(gfid: directory.gfid, cookie: cookie, maxEntries: 1024)) else {
                throw JBRError(.EIO, "readdir answered with something other than a page")
            }
            entries += page.entries
            if page.isLastPage { return entries }
            cookie = page.nextCookie
        }
    }

    /// Bytes per read or write operation of the path helpers.
    static let chunkBytes = 1 << 20

    static func components(_ path: String) throws -> [FileName] {
        try path.split(separator: "/").map { try FileName(String($0)) }
    }
}
