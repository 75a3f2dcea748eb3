#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import JBRCore

/// A brick's main store: the directory tree users see, plus `.jbr/` for the journal and the
/// brick's state. It is a cache of the committed prefix of the journal (architecture rules 2
/// and 3): the shell applies committed operations in journal order, then calls
/// `checkpoint(through:)`, and after a crash replays the journal from `appliedThrough`.
///
/// Every object has a GFID, stored with it (`IdentityNamespace`) and indexed under
/// `.jbr/gfid/` (`HandlePath`); operations address objects by GFID and names by
/// (parent GFID, name). Every filesystem call is relative to a directory descriptor inside the
/// brick and never follows a symlink; directories are reached through the index, never through
/// a path (architecture rule 5).
///
/// Results: what follows from the tree and the request (ENOENT, EEXIST, ESTALE, …) is a
/// `.failure` result, the same on every replica; what is this brick's own trouble (ENOSPC,
/// EDQUOT, EIO, a damaged store) is a thrown `StoreFailure`.
///
/// Replays: every object carries the index of the last operation applied to it, so an entry
/// applied again is recognised and skipped (`MainStore+Stamps`); an operation cut short by a
/// crash finishes when replayed, because each one that finds its effect in place succeeds and
/// only mends what is missing (`EntryDecisions`).
///
/// Not thread-safe: one owner calls it, except that `checkpoint` touches nothing that `apply`
/// and the reads do (it syncs the file system and writes the mark), so the shell runs it on
/// another thread beside them (`StoreWorker`).
public final class MainStore {
    /// The brick directory.
    let brick: StoreDescriptor
    /// `.jbr/store/`: format, applied-through mark, staging, pending removals and inode index.
    let state: StoreDescriptor
    /// `.jbr/store/staging/`: new objects are made complete here, then renamed into place, so a
    /// crash never leaves a half-made object under a user's name.
    let staging: StoreDescriptor
    /// `.jbr/store/pending/`: one empty file per object a rename is replacing, named by its
    /// GFID, until its handle has been dealt with (`MainStore+PendingRemovals`).
    let pending: StoreDescriptor
    let index: HandleIndex
    let identity: IdentityStore

    /// Where the GFIDs are kept, as chosen when the store was created.
    public var identityNamespace: IdentityNamespace { identity.namespace }

    /// Regular files kept open for writing after a content operation, for the next ones
    /// (`openLiveRegularFile`); at most `maxWritableFiles`, a random one closed when full.
    var writableFiles: [GFID: StoreDescriptor] = [:]
    static let maxWritableFiles = 64

    /// Directories resolved before, kept open (`directory`).
    let openDirectories = OpenDirectories()

    /// Everything up to this journal position has been applied and made durable.
    public private(set) var appliedThrough: LogPosition

    init(
        brick: StoreDescriptor, state: StoreDescriptor, staging: StoreDescriptor, pending: StoreDescriptor, index: HandleIndex,
        identity: IdentityStore, appliedThrough: LogPosition
    ) {
        self.brick = brick
        self.state = state
        self.staging = staging
        self.pending = pending
        self.index = index
        self.identity = identity
        self.appliedThrough = appliedThrough
    }

    /// Applies one committed operation, the one at `position` in the journal.
    ///
    /// `entry.sequencedAt` is the time of every new object and of every modification the
    /// operation makes (parents' and files' modification times, `TimeUpdate.sequencingTime`),
    /// so every replica and every replay sets the same times.
    ///
    /// An operation whose effect is already in place (every object it touches that still exists
    /// carries this position's index or a later one, see `MainStore+Stamps`) is not run again:
    /// `.alreadyApplied`. That is what makes replaying the journal from an earlier point safe.
    /// - Throws: `StoreFailure` when the operation could not be applied here; do not acknowledge
    ///   it, and apply it again once the cause is gone.
    public func apply(_ entry: OperationEntry, at position: LogPosition) throws(StoreFailure) -> ApplyOutcome {
        precondition(position.index > .zero, "operations are applied at journal indexes from 1")
        let index = position.index
        guard let target = entry.operation.contentTarget else {
            // It may remove or relink what an open file is; the next content operation looks again.
            for gfid in entry.operation.touchedObjects { writableFiles[gfid] = nil }
            return try applyInGeneral(entry, at: index)
        }
        if let (file, status) = try Self.failing({ () throws(StoreError) in try openLiveRegularFile(target) }) {
            if case let .append(gfid, data) = entry.operation {
                return try applyAppend(gfid, data: data, to: file, status: status, at: index, time: entry.sequencedAt)
            }
            return try applyContent(entry, to: file, status: status, at: index)
        }
        return try applyInGeneral(entry, at: index)
    }

    /// `apply` for every operation and object kind: each step resolves the objects it needs.
    private func applyInGeneral(_ entry: OperationEntry, at index: JournalIndex) throws(StoreFailure) -> ApplyOutcome {
        let touched = try Self.failing { () throws(StoreError) in try liveObjects(entry.operation.touchedObjects) }
        if try Self.failing({ () throws(StoreError) in try isApplied(touched, at: index) }) {
            try Self.failing { () throws(StoreError) in try reapplyContent(entry.operation) }
            return .alreadyApplied
        }
        let result = try Self.outcome { () throws(StoreError) in try perform(entry.operation, index: index, time: entry.sequencedAt) }
        // Looked up again: the operation may have made reachable what was not (a directory whose
        // handle a crash left stale), and every object it touched must carry its stamp.
        try Self.failing { () throws(StoreError) in
            for object in try liveObjects(entry.operation.touchedObjects) { try setStamp(index, on: object) }
        }
        return .applied(result)
    }

    /// `apply` of a content operation whose file is open: the same steps (stamp check, redo or
    /// change, stamp), each on the open descriptor. Most writes take this way, in a fifth of
    /// the system calls of resolving the file for each step.
    private func applyContent(_ entry: OperationEntry, to file: StoreDescriptor, status: stat, at index: JournalIndex) throws(StoreFailure) -> ApplyOutcome {
        if try Self.failing({ () throws(StoreError) in try identity.stamp(in: file, name: nil, status: status) }) >= index {
            try Self.failing { () throws(StoreError) in
                do throws(StoreError) {
                    _ = try changeContent(entry.operation, of: file, time: nil)
                } catch {
                    if case .refused = error { return }
                    throw error
                }
            }
            return .alreadyApplied
        }
        let result = try Self.outcome { () throws(StoreError) in try changeContent(entry.operation, of: file, time: entry.sequencedAt) }
        try Self.failing { () throws(StoreError) in try identity.setStamp(index, in: file, name: nil, status: status) }
        return .applied(result)
    }

    /// Runs `operation`; new objects get `index` as their stamp.
    func perform(_ operation: FileOperation, index: JournalIndex, time: Timestamp) throws(StoreError) -> OperationReply {
        switch operation {
        case let .create(location, gfid, permissions, owner, exclusive):
            return try create(.regular, at: location, gfid: gfid, permissions: permissions, owner: owner, exclusive: exclusive, time: time, stamp: index)
        case let .mkdir(location, gfid, permissions, owner):
            return try create(.directory, at: location, gfid: gfid, permissions: permissions, owner: owner, time: time, stamp: index)
        case let .mknod(location, gfid, type, permissions, owner):
            return try create(.special(type), at: location, gfid: gfid, permissions: permissions, owner: owner, time: time, stamp: index)
        case let .symlink(location, gfid, target, owner):
            return try create(.symlink(target), at: location, gfid: gfid, permissions: 0o777, owner: owner, time: time, stamp: index)
        case let .link(gfid, location):
            return try link(gfid, to: location, time: time)
        case let .unlink(location, gfid):
            return try unlink(location, gfid: gfid, time: time)
        case let .rmdir(location, gfid):
            return try removeDirectory(location, gfid: gfid, time: time)
        case let .rename(gfid, from, to, noReplace):
            return try rename(gfid, from: from, to: to, noReplace: noReplace, time: time)
        case .write, .append, .truncate, .fallocate, .discard, .zerofill:
            return try changeContent(operation, time: time)
        case let .setattr(gfid, changes):
            return try setAttributes(gfid, changes, time: time)
        case let .setxattr(gfid, name, value, mode):
            return try setXattr(gfid, name: name, value: value, mode: mode)
        case let .removexattr(gfid, name):
            return try removeXattr(gfid, name: name)
        }
    }

    /// Records that everything through `position` has been applied, after making it durable
    /// (`syncfs` of the brick's file system, then the mark replaced atomically).
    ///
    /// The caller promises that every operation up to `position` has been applied. Precondition:
    /// the mark never moves back.
    public func checkpoint(through position: LogPosition) throws(StoreFailure) {
        precondition(position >= appliedThrough, "applied-through mark moving back from \(appliedThrough) to \(position)")
        do throws(StoreError) {
            try brick.syncFileSystem()
            try AtomicFile.replace(AppliedMark.fileName, in: state, with: AppliedMark.encode(position))
        } catch {
            throw error.asFailure
        }
        appliedThrough = position
    }

    /// Runs a step that is not an operation's outcome: any error is a store failure.
    static func failing<Result>(_ body: () throws(StoreError) -> Result) throws(StoreFailure) -> Result {
        do throws(StoreError) {
            return try body()
        } catch {
            throw error.asFailure
        }
    }

    /// Runs one operation's body, turning what stopped it into its result or a store failure.
    static func outcome(_ body: () throws(StoreError) -> OperationReply) throws(StoreFailure) -> OperationResult {
        do throws(StoreError) {
            return .success(try body())
        } catch {
            switch error.classified {
            case let .outcome(refusal): return .failure(refusal)
            case let .failure(failure): throw failure
            }
        }
    }
}

@available(*, unavailable)
extension MainStore: Sendable {}

extension StoreError {
    /// This error as a failure of the whole store (opening it, checkpointing): nothing here is
    /// an operation's outcome, so even a deterministic errno keeps its code but is thrown.
    var asFailure: StoreFailure {
        switch classified {
        case let .outcome(error): StoreFailure(error)
        case let .failure(failure): failure
        }
    }
}
