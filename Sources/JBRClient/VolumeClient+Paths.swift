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
        let location = try await location(of: path)
        guard case let .attributes(file) = try await write(.create(location, gfid: .null, permissions: permissions, owner: owner, exclusive: false)) else {
            throw JBRError(.EIO, "create answered with something other than attributes")
        }
        _ = try await write(.truncate(gfid: file.gfid, size: 0))
        var offset = 0
        while offset < data.count {
            let end = min(data.count, offset + (1 << 20))
            _ = try await write(.write(gfid: file.gfid, offset: UInt64(offset), data: ByteBuffer(bytes: data[offset..<end])))
            offset = end
        }
    }

    /// The whole contents of the file at `path`, read 1 MiB per operation.
    public func readFile(_ path: String) async throws -> [UInt8] {
        let file = try await attributes(of: path)
        guard file.type == .regular else { throw JBRError(file.type == .directory ? .EISDIR : .EINVAL, "\(path) is not a regular file") }
        var contents: [UInt8] = []
        while true {
            guard case let .data(chunk, endOfFile) = try await read(.read(gfid: file.gfid, offset: UInt64(contents.count), length: 1 << 20)) else {
                throw JBRError(.EIO, "read answered with something other than data")
            }
            contents += chunk.readableBytesView
            if endOfFile || chunk.readableBytes == 0 { return contents }
        }
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

    static func components(_ path: String) throws -> [FileName] {
        try path.split(separator: "/").map { try FileName(String($0)) }
    }
}
