import JBRCore

/// What applying an entry operation to the current state means, decided without I/O.
///
/// The store looks at the name(s) and the GFID index, then asks these functions; they encode
/// POSIX's answers and the idempotence rules (architecture rule 3): an operation that finds its
/// own effect already in place succeeds without changing anything, so applying it twice, or
/// replaying the journal from an earlier point, converges on the same tree.
enum EntryDecisions {
    /// What a name in a directory holds.
    enum NameState: Hashable, Sendable {
        case absent
        case holds(GFID, FileType)
    }

    /// What the GFID index says about a GFID.
    enum IndexState: Hashable, Sendable, CaseIterable {
        case absent
        /// An object with this GFID exists and is reachable.
        case live
        /// The index names it but it cannot be reached: a crash interrupted the operation
        /// that moved or removed it, and replaying that operation will mend the index.
        case stale
    }

    enum Decision: Hashable, Sendable {
        /// Do it.
        case perform
        /// The effect is already in place: succeed, change nothing in the tree, and only finish
        /// what a crash may have cut short (the index entry, the parents' modification times,
        /// set to the operation's time as a first application would).
        case alreadyDone
        /// A non-exclusive create found another regular file: answer with it, as open(O_CREAT).
        case useExisting
        case refuse(JBRError.Code)
    }

    /// create, mkdir, mknod and symlink of a new object `gfid` of type `type`.
    ///
    /// A GFID already live elsewhere is refused rather than created twice: on a first
    /// application the leader never reuses one, and on a replay it means a later operation
    /// moved the object, so creating it again would duplicate it.
    static func create(_ type: FileType, gfid: GFID, exclusive: Bool, name: NameState, index: IndexState) -> Decision {
        switch name {
        case let .holds(existing, existingType) where existing == gfid:
            return existingType == type ? .alreadyDone : .refuse(.EEXIST)
        case let .holds(_, existingType):
            guard type == .regular, !exclusive else { return .refuse(.EEXIST) }
            switch existingType {
            case .regular: return .useExisting
            case .directory: return .refuse(.EISDIR)
            case .symlink, .fifo, .socket: return .refuse(.EEXIST)
            }
        case .absent:
            switch index {
            case .absent: return .perform
            case .live: return .refuse(.EEXIST)
            case .stale: return .refuse(.ESTALE)
            }
        }
    }

    /// unlink of the name that held `gfid`.
    static func unlink(gfid: GFID, name: NameState) -> Decision {
        switch name {
        case .absent: return .alreadyDone
        case let .holds(existing, _) where existing != gfid: return .refuse(.ESTALE)
        case .holds(_, .directory): return .refuse(.EISDIR)
        case .holds: return .perform
        }
    }

    /// rmdir of the name that held directory `gfid` (ENOTEMPTY is the kernel's to say).
    static func rmdir(gfid: GFID, name: NameState) -> Decision {
        switch name {
        case .absent: return .alreadyDone
        case let .holds(existing, _) where existing != gfid: return .refuse(.ESTALE)
        case .holds(_, .directory): return .perform
        case .holds: return .refuse(.ENOTDIR)
        }
    }

    /// link of object `gfid` (of type `type`) under a new name.
    static func link(gfid: GFID, type: FileType, name: NameState) -> Decision {
        if type == .directory { return .refuse(.EPERM) }
        switch name {
        case .absent: return .perform
        case let .holds(existing, _): return existing == gfid ? .alreadyDone : .refuse(.EEXIST)
        }
    }

    /// rename of object `gfid` from `source` to `destination`. `sameName` when both are the
    /// same (parent, name). `.perform` replaces what `destination` holds, if anything.
    static func rename(gfid: GFID, source: NameState, destination: NameState, sameName: Bool, noReplace: Bool) -> Decision {
        let sourceType: FileType
        switch source {
        case .absent:
            if case let .holds(existing, _) = destination, existing == gfid { return .alreadyDone }
            return .refuse(.ENOENT)
        case let .holds(existing, _) where existing != gfid:
            return .refuse(.ESTALE)
        case let .holds(_, type):
            sourceType = type
        }
        if sameName { return noReplace ? .refuse(.EEXIST) : .alreadyDone }
        switch destination {
        case .absent:
            return .perform
        case let .holds(existing, _) where existing == gfid:
            // Two names of one object: POSIX rename does nothing.
            return noReplace ? .refuse(.EEXIST) : .alreadyDone
        case let .holds(_, destinationType):
            if noReplace { return .refuse(.EEXIST) }
            if sourceType == .directory && destinationType != .directory { return .refuse(.ENOTDIR) }
            if sourceType != .directory && destinationType == .directory { return .refuse(.EISDIR) }
            return .perform
        }
    }
}
