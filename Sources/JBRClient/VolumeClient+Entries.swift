import JBRCore

/// Names by path: removing, moving and linking them. Each operation first resolves the name to
/// the object it holds and carries that GFID, so a brick refuses (`ESTALE`) if the name has
/// since come to hold another object.
extension VolumeClient {
    /// Removes the name `path` of a file, symlink or special file (unlink). A directory is
    /// refused with `EISDIR`; use `removeDirectory`.
    public func remove(_ path: String) async throws {
        let (location, object) = try await resolve(path)
        guard object.type != .directory else { throw JBRError(.EISDIR, "use rmdir") }
        try await expectDone(.unlink(location, gfid: object.gfid))
    }

    /// Removes the empty directory at `path`: `ENOTDIR` for anything else, `ENOTEMPTY` when it
    /// holds entries.
    public func removeDirectory(_ path: String) async throws {
        let (location, object) = try await resolve(path)
        guard object.type == .directory else { throw JBRError(.ENOTDIR, "rmdir removes directories only; use rm") }
        try await expectDone(.rmdir(location, gfid: object.gfid))
    }

    /// Gives the object at `source` the name `destination` (rename(2): the destination is the
    /// new name itself, not a directory to move into). What `destination` held is replaced,
    /// unless `replace` is false (RENAME_NOREPLACE: `EEXIST`).
    public func move(_ source: String, to destination: String, replace: Bool = true) async throws {
        let (from, object) = try await resolve(source)
        let to = try await location(of: destination)
        try await expectDone(.rename(gfid: object.gfid, from: from, to: to, noReplace: !replace))
    }

    /// A new name `link` for the existing object at `target` (a hard link). Directories cannot
    /// be linked (`EPERM`).
    @discardableResult
    public func link(_ target: String, at link: String) async throws -> FileAttributes {
        let object = try await attributes(of: target)
        let location = try await location(of: link)
        return try await expectAttributes(.link(gfid: object.gfid, to: location))
    }

    /// A symbolic link at `link` holding `target` verbatim; the target is never resolved.
    @discardableResult
    public func makeSymbolicLink(at link: String, target: String, owner: Owner = Owner(uid: 0, gid: 0)) async throws -> FileAttributes {
        let target = try SymlinkTarget(target)
        let location = try await location(of: link)
        return try await expectAttributes(.symlink(location, gfid: .null, target: target, owner: owner))
    }

    /// What the symbolic link at `path` holds.
    public func linkTarget(of path: String) async throws -> SymlinkTarget {
        let object = try await attributes(of: path)
        guard object.type == .symlink else { throw JBRError(.EINVAL, "is not a symbolic link") }
        guard case let .linkTarget(target) = try await read(.readlink(gfid: object.gfid)) else {
            throw JBRError(.EIO, "readlink answered with something other than a link target")
        }
        return target
    }

    /// The name of `path` and the object it holds now.
    private func resolve(_ path: String) async throws -> (EntryLocation, FileAttributes) {
        let location = try await location(of: path)
        guard case let .attributes(object) = try await read(.lookup(location)) else {
            throw JBRError(.EIO, "lookup answered with something other than attributes")
        }
        return (location, object)
    }

    private func expectDone(_ operation: FileOperation) async throws {
        guard case .done = try await write(operation) else { throw JBRError(.EIO, "\(operation.name) answered with something other than done") }
    }

    private func expectAttributes(_ operation: FileOperation) async throws -> FileAttributes {
        guard case let .attributes(attributes) = try await write(operation) else {
            throw JBRError(.EIO, "\(operation.name) answered with something other than attributes")
        }
        return attributes
    }
}
