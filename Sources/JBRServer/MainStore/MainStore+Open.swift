#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

extension MainStore {
    /// Makes a new, empty store in `brick` and opens it.
    ///
    /// The brick directory must exist and hold nothing but `.jbr/` (where a journal may already
    /// be). A store creation interrupted by a crash can be run again.
    /// - Parameter namespace: where GFIDs are kept; nil chooses `trusted` when this process may
    ///   set trusted xattrs (as root), `user` otherwise.
    public static func create(brick path: String, namespace: IdentityNamespace? = nil) throws(StoreFailure) -> MainStore {
        do throws(StoreError) {
            let brick = try StoreDescriptor.openBrick(path, faults: nil)
            let others = try brick.entryNames().filter { $0 != StoreLayout.reservedName }
            guard others.isEmpty else {
                throw StoreError.refused(.EEXIST, "brick \(path) is not empty (it holds \(others.count) entries besides .jbr); a new store starts empty")
            }
            let jbr = try ensureDirectory(StoreLayout.reservedName, in: brick)
            let state = try ensureDirectory(StoreLayout.stateDirectory, in: jbr)
            guard try state.status(of: StoreFormat.fileName) == nil else {
                throw StoreError.refused(.EEXIST, "brick \(path) already holds a main store")
            }
            let chosen: IdentityNamespace
            if let namespace { chosen = namespace } else { chosen = try detectNamespace(using: state) }
            try probe(chosen, using: state)
            _ = try ensureDirectory(StoreLayout.stagingDirectory, in: state)
            _ = try ensureDirectory(StoreLayout.pendingDirectory, in: state)
            _ = try ensureDirectory(IdentityStore.inodesDirectoryName, in: state)
            _ = try ensureDirectory(HandleIndex.directoryName, in: jbr)
            try brick.setXattr(chosen.gfidAttribute, value: GFID.root.bytes, of: nil)
            try forgetEarlierStores(on: brick)
            try AtomicFile.replace(AppliedMark.fileName, in: state, with: AppliedMark.encode(.zero))
            try brick.syncFileSystem()
            // Last: a format file means a complete store.
            try AtomicFile.replace(StoreFormat.fileName, in: state, with: StoreFormat.encode(chosen))
        } catch {
            throw error.asFailure
        }
        return try open(brick: path)
    }

    /// Opens the store in `brick`, reading its applied-through mark, emptying its staging
    /// directory (objects a crash left half made) and finishing the removals a crash cut short.
    public static func open(brick path: String) throws(StoreFailure) -> MainStore {
        try open(brick: path, faults: nil)
    }

    /// `open(brick:)` with crash injection, for tests.
    package static func open(brick path: String, faults: StoreFaults?) throws(StoreFailure) -> MainStore {
        do throws(StoreError) {
            let brick = try StoreDescriptor.openBrick(path, faults: faults)
            let jbr = try brick.openDirectory(StoreLayout.reservedName)
            let state = try jbr.openDirectory(StoreLayout.stateDirectory)
            guard let format = try AtomicFile.read(StoreFormat.fileName, in: state) else {
                throw StoreError.refused(.ENOENT, "brick \(path) holds no main store (no .jbr/store/format)")
            }
            guard let namespace = StoreFormat.decode(format) else { throw StoreError.damaged("\(path)/.jbr/store/format is not a format this build reads") }
            guard let markBytes = try AtomicFile.read(AppliedMark.fileName, in: state) else {
                throw StoreError.damaged("\(path)/.jbr/store has no applied-through mark")
            }
            let appliedThrough: LogPosition
            switch AppliedMark.decode(markBytes) {
            case let .success(position): appliedThrough = position
            case let .failure(problem): throw StoreError.damaged("\(path): \(problem)")
            }
            let staging = try state.openDirectory(StoreLayout.stagingDirectory)
            let identity = IdentityStore(namespace: namespace, inodes: try state.openDirectory(IdentityStore.inodesDirectoryName), staging: staging)
            guard try identity.gfid(in: brick, name: nil, status: brick.status()) == .root else {
                throw StoreError.damaged("the brick directory \(path) does not carry the root GFID")
            }
            let store = MainStore(
                brick: brick, state: state, staging: staging, pending: try state.openDirectory(StoreLayout.pendingDirectory),
                index: HandleIndex(root: try jbr.openDirectory(HandleIndex.directoryName), staging: staging), identity: identity,
                appliedThrough: appliedThrough)
            try store.emptyStaging()
            try store.finishPendingRemovals()
            return store
        } catch {
            throw error.asFailure
        }
    }

    /// Removes what a crash left in the staging directory: objects that never got a name.
    func emptyStaging() throws(StoreError) {
        for name in try staging.entryNames() {
            try discardStaged(name)
        }
    }

    private static func ensureDirectory(_ name: [UInt8], in parent: StoreDescriptor) throws(StoreError) -> StoreDescriptor {
        do throws(StoreError) {
            try parent.makeDirectory(name, mode: 0o700)
        } catch where error.errno == EEXIST {}
        return try parent.openDirectory(name)
    }

    /// The brick directory outlives the stores made in it: emptied by hand for a new volume, it
    /// keeps the last one's stamp, which would make the new store skip, as already applied,
    /// every operation on the root up to that index.
    private static func forgetEarlierStores(on brick: StoreDescriptor) throws(StoreError) {
        for namespace in IdentityNamespace.allCases {
            for attribute in [namespace.stampAttribute, namespace.appendMarkAttribute] {
                do throws(StoreError) {
                    try brick.removeXattr(attribute, of: nil)
                } catch where error.errno == ENODATA || error.errno == EPERM || error.errno == EOPNOTSUPP {}
            }
        }
    }

    /// `trusted` if this process may set trusted xattrs here, else `user`.
    private static func detectNamespace(using directory: StoreDescriptor) throws(StoreError) -> IdentityNamespace {
        let probeName = Array("trusted.jbr.probe".utf8)
        do throws(StoreError) {
            try directory.setXattr(probeName, value: [1], of: nil)
        } catch where error.errno == EPERM || error.errno == EOPNOTSUPP || error.errno == EACCES {
            return .user
        }
        try directory.removeXattr(probeName, of: nil)
        return .trusted
    }

    /// Checks that the file system takes xattrs of the chosen namespace.
    private static func probe(_ namespace: IdentityNamespace, using directory: StoreDescriptor) throws(StoreError) {
        let probeName = namespace.gfidAttribute + Array(".probe".utf8)
        do throws(StoreError) {
            try directory.setXattr(probeName, value: [1], of: nil)
            try directory.removeXattr(probeName, of: nil)
        } catch {
            throw StoreError.damaged("the brick's file system does not store \(namespace.rawValue) xattrs: \(error)")
        }
    }
}
