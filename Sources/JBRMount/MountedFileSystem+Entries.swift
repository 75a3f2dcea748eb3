import CFUSE3
#if canImport(Glibc)
import Glibc
#endif
import JBRCore

/// Names: lookup, the calls that make objects, and those that remove or move names.
extension MountedFileSystem {
    func lookup(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8]) {
        serve(request, "lookup") { [self] in
            reply(request, entry: try await lookup(try location(parent, name)))
        }
    }

    func forget(_ node: fuse_ino_t, count: UInt64) {
        nodes.withLock { $0.forget(UInt64(node), count: count) }
    }

    func makeDirectory(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8], mode: mode_t) {
        change(request, "mkdir") { [self] in
            let made = try await modify(.mkdir(try location(parent, name), gfid: .null, permissions: Self.permissions(mode), owner: request.caller))
            reply(request, entry: try attributes(made, of: "mkdir"))
        }
    }

    /// FIFOs and sockets; a regular file as `create` makes it. Devices are not part of a
    /// replicated volume: EPERM, as for an unprivileged mknod.
    func makeNode(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8], mode: mode_t) {
        change(request, "mknod") { [self] in
            let location = try location(parent, name)
            let operation: FileOperation
            switch mode & S_IFMT {
            case S_IFIFO: operation = .mknod(location, gfid: .null, type: .fifo, permissions: Self.permissions(mode), owner: request.caller)
            case S_IFSOCK: operation = .mknod(location, gfid: .null, type: .socket, permissions: Self.permissions(mode), owner: request.caller)
            case S_IFREG, 0: operation = .create(location, gfid: .null, permissions: Self.permissions(mode), owner: request.caller, exclusive: true)
            default: throw JBRError(.EPERM, "device files are not kept on a JBR volume")
            }
            reply(request, entry: try attributes(try await modify(operation), of: "mknod"))
        }
    }

    func makeSymbolicLink(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8], target: [UInt8]) {
        change(request, "symlink") { [self] in
            let made = try await modify(.symlink(try location(parent, name), gfid: .null, target: try SymlinkTarget(validating: target), owner: request.caller))
            reply(request, entry: try attributes(made, of: "symlink"))
        }
    }

    func link(_ request: FuseRequest, node: fuse_ino_t, newParent: fuse_ino_t, newName: [UInt8]) {
        change(request, "link") { [self] in
            let linked = try await modify(.link(gfid: try gfid(node), to: try location(newParent, newName)))
            reply(request, entry: try attributes(linked, of: "link"))
        }
    }

    func create(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8], mode: mode_t, file: fuse_file_info) {
        change(request, "create") { [self] in
            let exclusive = file.flags & O_EXCL != 0
            let made = try attributes(
                try await modify(.create(try location(parent, name), gfid: .null, permissions: Self.permissions(mode), owner: request.caller, exclusive: exclusive)),
                of: "create")
            guard made.type == .regular else { throw JBRError(.EISDIR, "\(made.type) where a file was to be created") }
            let opened = open(made.gfid, file)
            let node = nodes.withLock { $0.remember(made.gfid) }
            request.created(node: node, made, options: options, file: opened)
        }
    }

    func unlink(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8]) {
        change(request, "unlink") { [self] in
            let location = try location(parent, name)
            try await resolvingAgain { _ = try await modify(.unlink(location, gfid: try await lookup(location).gfid)) }
            request.succeed()
        }
    }

    func removeDirectory(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8]) {
        change(request, "rmdir") { [self] in
            let location = try location(parent, name)
            try await resolvingAgain { _ = try await modify(.rmdir(location, gfid: try await lookup(location).gfid)) }
            request.succeed()
        }
    }

    /// `rename(2)` and `renameat2(2)` with RENAME_NOREPLACE; RENAME_EXCHANGE is not offered.
    func rename(_ request: FuseRequest, parent: fuse_ino_t, name: [UInt8], newParent: fuse_ino_t, newName: [UInt8], flags: UInt32) {
        let noReplace: UInt32 = 1  // RENAME_NOREPLACE
        guard flags & ~noReplace == 0 else { return request.fail(EINVAL) }
        change(request, "rename") { [self] in
            let from = try location(parent, name)
            let to = try location(newParent, newName)
            try await resolvingAgain {
                let moving = try await lookup(from).gfid
                _ = try await modify(.rename(gfid: moving, from: from, to: to, noReplace: flags & noReplace != 0))
            }
            request.succeed()
        }
    }

    /// Runs a removal or move that names the object it resolved: if the name was given to
    /// another object meanwhile (ESTALE), it resolves the name again, a few times.
    private func resolvingAgain(_ body: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as JBRError where error.code == .ESTALE && attempt < 4 {
                attempt += 1
            }
        }
    }

    static func permissions(_ mode: mode_t) -> UInt16 {
        UInt16(mode & 0o7777)
    }
}
