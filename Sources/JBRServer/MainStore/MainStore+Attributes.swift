#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

extension MainStore {
    /// Changes any subset of owner, group, permissions and times of `gfid`.
    ///
    /// Owner before permissions, so the set-id bits asked for survive chown's clearing them.
    /// A symlink has no permissions of its own on Linux: EOPNOTSUPP, before anything changes.
    func setAttributes(_ gfid: GFID, _ changes: SetAttributes, time: Timestamp) throws(StoreError) -> OperationReply {
        let object = try object(gfid)
        if let permissions = changes.permissions {
            if permissions > 0o7777 { throw .refused(.EINVAL, "setattr \(gfid): permissions carry type bits") }
            if object.type == .symlink { throw .refused(.EOPNOTSUPP, "setattr \(gfid): a symlink has no permissions of its own") }
        }
        if changes.uid != nil || changes.gid != nil {
            try object.base.changeOwner(of: object.name, uid: changes.uid, gid: changes.gid)
        }
        if let permissions = changes.permissions {
            try object.base.changePermissions(of: object.name, to: permissions)
        }
        if changes.accessTime != nil || changes.modificationTime != nil {
            try object.base.setTimes(of: object.name, access: Self.time(changes.accessTime, now: time), modification: Self.time(changes.modificationTime, now: time))
        }
        return .attributes(try attributes(of: object))
    }

    /// Sets a user-visible extended attribute (the store's own are refused with EPERM).
    func setXattr(_ gfid: GFID, name: XattrName, value: XattrValue, mode: XattrSetMode) throws(StoreError) -> OperationReply {
        if let refusal = XattrPolicy.refusalToChange(name) { throw .refused(refusal) }
        let object = try object(gfid)
        let flags: Int32
        switch mode {
        case .upsert: flags = 0
        case .createOnly: flags = LinuxCalls.xattrCreate
        case .replaceOnly: flags = LinuxCalls.xattrReplace
        }
        try object.base.setXattr(name.bytes, value: value.bytes, of: object.name, flags: flags)
        return .done
    }

    /// Removes a user-visible extended attribute (ENODATA if it has none).
    func removeXattr(_ gfid: GFID, name: XattrName) throws(StoreError) -> OperationReply {
        if let refusal = XattrPolicy.refusalToChange(name) { throw .refused(refusal) }
        let object = try object(gfid)
        try object.base.removeXattr(name.bytes, of: object.name)
        return .done
    }

    private static func time(_ update: TimeUpdate?, now: Timestamp) -> Timestamp? {
        switch update {
        case nil: nil
        case .sequencingTime: now
        case let .exact(timestamp): timestamp
        }
    }
}
