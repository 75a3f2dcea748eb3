import JBRCore

/// Extended attributes by path. Names the store keeps for itself (`trusted.gfid`,
/// `trusted.jbr.*`, `user.jbr.*`) are neither listed nor settable.
extension VolumeClient {
    /// Sets `name` to `value` on the object at `path`, creating or replacing it unless `mode`
    /// says otherwise.
    public func setExtendedAttribute(_ name: XattrName, to value: XattrValue, of path: String, mode: XattrSetMode = .upsert) async throws {
        let object = try await attributes(of: path)
        guard case .done = try await write(.setxattr(gfid: object.gfid, name: name, value: value, mode: mode)) else {
            throw JBRError(.EIO, "setxattr answered with something other than done")
        }
    }

    /// Removes `name` from the object at `path`; `ENODATA` if it has none.
    public func removeExtendedAttribute(_ name: XattrName, of path: String) async throws {
        let object = try await attributes(of: path)
        guard case .done = try await write(.removexattr(gfid: object.gfid, name: name)) else {
            throw JBRError(.EIO, "removexattr answered with something other than done")
        }
    }

    /// The value of `name` on the object at `path`; `ENODATA` if it has none.
    public func extendedAttribute(_ name: XattrName, of path: String) async throws -> XattrValue {
        try await extendedAttribute(name, of: try await attributes(of: path).gfid)
    }

    /// Every extended attribute of the object at `path` with its value, sorted by name. An
    /// attribute removed between listing and reading is left out.
    public func extendedAttributes(of path: String) async throws -> [(name: XattrName, value: XattrValue)] {
        let object = try await attributes(of: path)
        guard case let .xattrNames(names) = try await read(.listxattr(gfid: object.gfid)) else {
            throw JBRError(.EIO, "listxattr answered with something other than names")
        }
        var attributes: [(name: XattrName, value: XattrValue)] = []
        for name in names.sorted() {
            do {
                attributes.append((name, try await extendedAttribute(name, of: object.gfid)))
            } catch let error as JBRError where error.code == .ENODATA {
                continue
            }
        }
        return attributes
    }

    private func extendedAttribute(_ name: XattrName, of gfid: GFID) async throws -> XattrValue {
        guard case let .xattrValue(value) = try await read(.getxattr(gfid: gfid, name: name)) else {
            throw JBRError(.EIO, "getxattr answered with something other than a value")
        }
        return value
    }
}
