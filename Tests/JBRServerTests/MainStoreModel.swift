import JBRCore
import NIOCore

/// An in-memory tree with the semantics the main store promises, written independently of it:
/// the oracle the property tests compare the store with. An entry operation that finds its
/// effect already in place succeeds and sets its parents' modification times, as the store does.
///
/// Failure codes follow the store's order of checks (GFID, parent, reserved name, the name's
/// state, then what the kernel says), so the model predicts the exact code.
struct MainStoreModel {
    struct Object {
        var type: FileType
        var permissions: UInt16
        var owner: Owner
        var data: [UInt8] = []
        var target: [UInt8] = []
        var xattrs: [[UInt8]: [UInt8]] = [:]
        var modificationTime: Timestamp
        var children: [FileName: GFID] = [:]
    }

    private(set) var objects: [GFID: Object]

    init(root: FileAttributes) {
        objects = [.root: Object(type: .directory, permissions: root.permissions, owner: root.owner, modificationTime: root.modificationTime)]
    }

    typealias Code = JBRError.Code

    /// Applies `operation` at `time`; nil for success, else the failure code the store must give.
    mutating func apply(_ operation: FileOperation, at time: Timestamp) -> Code? {
        switch operation {
        case let .create(location, gfid, permissions, owner, exclusive):
            return create(Object(type: .regular, permissions: permissions, owner: owner, modificationTime: time), gfid, at: location, exclusive: exclusive)
        case let .mkdir(location, gfid, permissions, owner):
            return create(Object(type: .directory, permissions: permissions, owner: owner, modificationTime: time), gfid, at: location)
        case let .mknod(location, gfid, type, permissions, owner):
            return create(Object(type: type == .fifo ? .fifo : .socket, permissions: permissions, owner: owner, modificationTime: time), gfid, at: location)
        case let .symlink(location, gfid, target, owner):
            return create(Object(type: .symlink, permissions: 0o777, owner: owner, target: target.bytes, modificationTime: time), gfid, at: location)
        case let .link(gfid, location):
            return link(gfid, to: location, time: time)
        case let .unlink(location, gfid):
            return remove(location, gfid, directory: false, time: time)
        case let .rmdir(location, gfid):
            return remove(location, gfid, directory: true, time: time)
        case let .rename(gfid, from, to, noReplace):
            return rename(gfid, from: from, to: to, noReplace: noReplace, time: time)
        case let .write(gfid, offset, data):
            return changeData(gfid, offset: offset, length: UInt64(data.readableBytes), requireLength: false, time: time) { file in
                file.extend(to: Int(offset) + data.readableBytes)
                file.data.replaceSubrange(Int(offset)..<(Int(offset) + data.readableBytes), with: data.readableBytesView)
            }
        case let .append(gfid, data):
            let offset = UInt64(objects[gfid]?.data.count ?? 0)
            return changeData(gfid, offset: offset, length: UInt64(data.readableBytes), requireLength: false, time: time) { file in
                file.data.append(contentsOf: data.readableBytesView)
            }
        case let .truncate(gfid, size):
            return changeData(gfid, offset: size, length: 0, requireLength: false, time: time) { file in
                if Int(size) < file.data.count { file.data.removeLast(file.data.count - Int(size)) } else { file.extend(to: Int(size)) }
            }
        case let .fallocate(gfid, offset, length, keepSize):
            return changeData(gfid, offset: offset, length: length, requireLength: true, time: time) { file in
                if !keepSize { file.extend(to: Int(offset + length)) }
            }
        case let .discard(gfid, offset, length):
            return changeData(gfid, offset: offset, length: length, requireLength: true, time: time) { file in
                file.zero(Int(offset)..<max(Int(offset), min(file.data.count, Int(offset + length))))
            }
        case let .zerofill(gfid, offset, length):
            return changeData(gfid, offset: offset, length: length, requireLength: true, time: time) { file in
                file.extend(to: Int(offset + length))
                file.zero(Int(offset)..<Int(offset + length))
            }
        case let .setattr(gfid, changes):
            return setAttributes(gfid, changes, time: time)
        case let .setxattr(gfid, name, value, mode):
            return changeXattr(gfid, name) { object in
                let exists = object.xattrs[name.bytes] != nil
                if mode == .createOnly && exists { return .EEXIST }
                if mode == .replaceOnly && !exists { return .ENODATA }
                object.xattrs[name.bytes] = value.bytes
                return nil
            }
        case let .removexattr(gfid, name):
            return changeXattr(gfid, name) { object in
                object.xattrs.removeValue(forKey: name.bytes) == nil ? .ENODATA : nil
            }
        }
    }

    // MARK: Entries

    private mutating func create(_ object: Object, _ gfid: GFID, at location: EntryLocation, exclusive: Bool = true) -> Code? {
        if gfid.isNull || gfid == .root || object.permissions > 0o7777 { return .EINVAL }
        if let problem = directoryProblem(location.parent) ?? reservedProblem(location) { return problem }
        if let existing = objects[location.parent]!.children[location.name] {
            let existingType = objects[existing]!.type
            if existing == gfid {
                guard existingType == object.type else { return .EEXIST }
                objects[location.parent]!.modificationTime = object.modificationTime
                return nil
            }
            if object.type != .regular || exclusive { return .EEXIST }
            return existingType == .regular ? nil : existingType == .directory ? .EISDIR : .EEXIST
        }
        if objects[gfid] != nil { return .EEXIST }
        objects[gfid] = object
        objects[location.parent]!.children[location.name] = gfid
        objects[location.parent]!.modificationTime = object.modificationTime
        return nil
    }

    private mutating func link(_ gfid: GFID, to location: EntryLocation, time: Timestamp) -> Code? {
        if let problem = objectProblem(gfid) ?? directoryProblem(location.parent) ?? reservedProblem(location) { return problem }
        if objects[gfid]!.type == .directory { return .EPERM }
        if let existing = objects[location.parent]!.children[location.name] {
            guard existing == gfid else { return .EEXIST }
            objects[location.parent]!.modificationTime = time
            return nil
        }
        objects[location.parent]!.children[location.name] = gfid
        objects[location.parent]!.modificationTime = time
        return nil
    }

    private mutating func remove(_ location: EntryLocation, _ gfid: GFID, directory: Bool, time: Timestamp) -> Code? {
        if let problem = directoryProblem(location.parent) ?? reservedProblem(location) { return problem }
        guard let existing = objects[location.parent]!.children[location.name] else {
            objects[location.parent]!.modificationTime = time
            return nil
        }
        if existing != gfid { return .ESTALE }
        let isDirectory = objects[existing]!.type == .directory
        if isDirectory != directory { return directory ? .ENOTDIR : .EISDIR }
        if directory && !objects[existing]!.children.isEmpty { return .ENOTEMPTY }
        dropName(location)
        objects[location.parent]!.modificationTime = time
        return nil
    }

    private mutating func rename(_ gfid: GFID, from: EntryLocation, to: EntryLocation, noReplace: Bool, time: Timestamp) -> Code? {
        if let problem = directoryProblem(from.parent) ?? directoryProblem(to.parent) ?? reservedProblem(from) ?? reservedProblem(to) {
            return problem
        }
        let destination = objects[to.parent]!.children[to.name]
        func alreadyDone() -> Code? {
            objects[from.parent]!.modificationTime = time
            objects[to.parent]!.modificationTime = time
            return nil
        }
        guard let source = objects[from.parent]!.children[from.name] else { return destination == gfid ? alreadyDone() : .ENOENT }
        if source != gfid { return .ESTALE }
        if from == to || destination == gfid { return noReplace ? .EEXIST : alreadyDone() }
        let sourceIsDirectory = objects[gfid]!.type == .directory
        if let destination {
            if noReplace { return .EEXIST }
            let destinationIsDirectory = objects[destination]!.type == .directory
            if sourceIsDirectory && !destinationIsDirectory { return .ENOTDIR }
            if !sourceIsDirectory && destinationIsDirectory { return .EISDIR }
        }
        // What the kernel checks: no directory into itself, nothing over a non-empty directory.
        if sourceIsDirectory && (to.parent == gfid || isAncestor(gfid, of: to.parent)) { return .EINVAL }
        if let destination, objects[destination]!.type == .directory, !objects[destination]!.children.isEmpty { return .ENOTEMPTY }
        if destination != nil { dropName(to) }
        objects[from.parent]!.children.removeValue(forKey: from.name)
        objects[to.parent]!.children[to.name] = gfid
        objects[from.parent]!.modificationTime = time
        objects[to.parent]!.modificationTime = time
        return nil
    }

    /// Removes a name; the object goes when it has no name left.
    private mutating func dropName(_ location: EntryLocation) {
        let gfid = objects[location.parent]!.children.removeValue(forKey: location.name)!
        if names(of: gfid).isEmpty { objects.removeValue(forKey: gfid) }
    }

    // MARK: Data and attributes

    private mutating func changeData(_ gfid: GFID, offset: UInt64, length: UInt64, requireLength: Bool, time: Timestamp, _ change: (inout Object) -> Void) -> Code? {
        if requireLength && length == 0 { return .EINVAL }
        let (end, overflow) = offset.addingReportingOverflow(length)
        if overflow || end > UInt64(Int64.max) { return .EFBIG }
        if let problem = objectProblem(gfid) { return problem }
        switch objects[gfid]!.type {
        case .regular: break
        case .directory: return .EISDIR
        case .symlink, .fifo, .socket: return .EINVAL
        }
        change(&objects[gfid]!)
        objects[gfid]!.modificationTime = time
        return nil
    }

    private mutating func setAttributes(_ gfid: GFID, _ changes: SetAttributes, time: Timestamp) -> Code? {
        if let problem = objectProblem(gfid) { return problem }
        if changes.permissions != nil && objects[gfid]!.type == .symlink { return .EOPNOTSUPP }
        if let uid = changes.uid { objects[gfid]!.owner.uid = uid }
        if let gid = changes.gid { objects[gfid]!.owner.gid = gid }
        if let permissions = changes.permissions { objects[gfid]!.permissions = permissions }
        switch changes.modificationTime {
        case nil: break
        case .sequencingTime: objects[gfid]!.modificationTime = time
        case let .exact(exact): objects[gfid]!.modificationTime = exact
        }
        return nil
    }

    private mutating func changeXattr(_ gfid: GFID, _ name: XattrName, _ change: (inout Object) -> Code?) -> Code? {
        let text = String(decoding: name.bytes, as: UTF8.self)
        if text == "trusted.gfid" || text.hasPrefix("trusted.jbr.") || text.hasPrefix("user.jbr.") { return .EPERM }
        if !(text.hasPrefix("user.") || text.hasPrefix("trusted.") || text.hasPrefix("security.")) { return .EOPNOTSUPP }
        if let problem = objectProblem(gfid) { return problem }
        // Linux allows user xattrs only on regular files and directories.
        if text.hasPrefix("user."), ![.regular, .directory].contains(objects[gfid]!.type) { return .EPERM }
        return change(&objects[gfid]!)
    }

    // MARK: Queries

    private func objectProblem(_ gfid: GFID) -> Code? {
        if gfid.isNull { return .EINVAL }
        return objects[gfid] == nil ? .ESTALE : nil
    }

    private func directoryProblem(_ gfid: GFID) -> Code? {
        if let problem = objectProblem(gfid) { return problem }
        return objects[gfid]!.type == .directory ? nil : .ENOTDIR
    }

    private func reservedProblem(_ location: EntryLocation) -> Code? {
        location.parent == .root && location.name.description == ".jbr" ? .EPERM : nil
    }

    /// Every (parent, name) holding `gfid`.
    func names(of gfid: GFID) -> [EntryLocation] {
        objects.flatMap { parent, object in
            object.children.filter { $0.value == gfid }.map { EntryLocation(parent: parent, name: $0.key) }
        }
    }

    /// Whether directory `ancestor` contains `gfid`, directly or below.
    func isAncestor(_ ancestor: GFID, of gfid: GFID) -> Bool {
        var current = gfid
        while current != .root, let parent = names(of: current).first?.parent {
            if parent == ancestor { return true }
            current = parent
        }
        return false
    }

    /// Every name in the tree, with what it holds.
    var entries: [(location: EntryLocation, gfid: GFID)] {
        objects.flatMap { parent, object in object.children.map { (EntryLocation(parent: parent, name: $0.key), $0.value) } }
            .sorted { ($0.location.parent, $0.location.name) < ($1.location.parent, $1.location.name) }
    }

    /// The tree as `storeTree` shows a store.
    var tree: [String: TreeObject] {
        var tree: [String: TreeObject] = [:]
        var pending: [(GFID, String)] = [(.root, "")]
        while let (gfid, path) = pending.popLast() {
            tree[path.isEmpty ? "/" : path] = treeObject(gfid)
            for (name, child) in objects[gfid]!.children {
                if objects[child]!.type == .directory {
                    pending.append((child, path + "/" + name.description))
                } else {
                    tree[path + "/" + name.description] = treeObject(child)
                }
            }
        }
        return tree
    }

    private func treeObject(_ gfid: GFID) -> TreeObject {
        let object = objects[gfid]!
        let links = object.type == .directory
            ? 2 + UInt32(object.children.values.filter { objects[$0]!.type == .directory }.count)
            : UInt32(names(of: gfid).count)
        return TreeObject(
            gfid: gfid, type: object.type, permissions: object.permissions, owner: object.owner,
            content: object.type == .symlink ? object.target : object.data, linkCount: links,
            modificationTime: object.modificationTime, xattrs: object.xattrs)
    }
}

extension MainStoreModel.Object {
    mutating func extend(to size: Int) {
        if data.count < size { data.append(contentsOf: [UInt8](repeating: 0, count: size - data.count)) }
    }

    mutating func zero(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        data.replaceSubrange(range, with: [UInt8](repeating: 0, count: range.count))
    }
}
