import HistoryChecker
import JBRClient
import JBRCore
import NIOCore

/// One of the nemesis's clients: runs register operations through its own `VolumeClient` (its
/// own client id and request ids) and records each with its invocation and completion time.
///
/// An operation's outcome is `failed` only when it certainly had no effect (the leader refused
/// it, or it never reached the step that takes effect); a client that gave up on a step that
/// may have taken effect records it `indeterminate`.
struct RegisterClient: Sendable {
    let number: UInt64
    let client: VolumeClient
    let layout: RegisterLayout
    let recorder: HistoryRecorder

    /// The one step of an operation that takes effect, and how it ended.
    private enum StepResult {
        case answered(OperationReply)
        case refused(JBRError)
        case unknown
    }

    // MARK: Contents registers

    /// Stages `value` in a new file, then renames it over the register's name: the rename is
    /// the only step that can take effect.
    func write(_ value: String, to key: RegisterKey) async {
        let staged: GFID
        do {
            let name = try FileName(value)
            guard case .attributes(let file) = try await client.write(
                .create(EntryLocation(parent: layout.staging, name: name), gfid: .null, permissions: 0o644, owner: Owner(uid: 0, gid: 0), exclusive: true))
            else { return }
            try await client.write(Array(value.utf8), toFile: file.gfid, at: 0)
            staged = file.gfid
        } catch {
            // The rename was never asked for: nothing took effect (not even recorded: a write
            // that never began its effective step is not an operation on the register).
            return
        }
        await change(key, .write(value)) {
            try await client.write(.rename(
                gfid: staged, from: EntryLocation(parent: layout.staging, name: try FileName(value)),
                to: EntryLocation(parent: layout.registers, name: try FileName(key.name)), noReplace: false))
        }
    }

    /// Looks the name up, then reads the file it named; the lookup is the moment the read
    /// takes effect (a file, once renamed into place, never changes). Returns what it saw.
    @discardableResult
    func readContents(of key: RegisterKey) async -> RegisterState? {
        await read(key) { await currentContents(of: key) }
    }

    /// The register's state, or nil when the client could not learn it (a read that fails has
    /// no effect and tells nothing, so it is left out of the history).
    func currentContents(of key: RegisterKey) async -> RegisterState? {
        // The file found may be replaced and removed between the lookup and the read: then the
        // read starts again.
        for _ in 0..<5 {
            let file: GFID
            do {
                guard case .attributes(let found) = try await client.read(.lookup(EntryLocation(parent: layout.registers, name: try FileName(key.name))))
                else { return nil }
                file = found.gfid
            } catch let error as JBRError where error.code == .ENOENT {
                return .absent
            } catch {
                return nil
            }
            do {
                guard case .data(let bytes, _) = try await client.read(.read(gfid: file, offset: 0, length: 4096)) else { return nil }
                return .value(String(decoding: bytes.readableBytesView, as: UTF8.self))
            } catch let error as JBRError where error.code == .ENOENT || error.code == .ESTALE {
                continue
            } catch {
                return nil
            }
        }
        return nil
    }

    // MARK: Append logs

    /// Appends `value` as one line: one operation, so it takes effect once or not at all.
    func append(_ value: String, to key: RegisterKey) async {
        guard let file = layout.logFiles[key.name] else { return }
        await change(key, .append(value)) {
            try await client.write(.append(gfid: file, data: ByteBuffer(string: value + "\n")))
        }
    }

    /// Reads the whole log in one read: its lines are the values appended, oldest first.
    @discardableResult
    func readLog(of key: RegisterKey) async -> RegisterState? {
        await read(key) { await currentLog(of: key) }
    }

    func currentLog(of key: RegisterKey) async -> RegisterState? {
        guard let file = layout.logFiles[key.name],
            case .data(let bytes, let endOfFile) = try? await client.read(.read(gfid: file, offset: 0, length: UInt32(CodecLimits.maxDataBytes))),
            endOfFile
        else { return nil }
        let text = String(decoding: bytes.readableBytesView, as: UTF8.self)
        return .list(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))
    }

    // MARK: File-name registers

    /// Renames the register's file from `expected` to `new`: swapped if `expected` still named it.
    @discardableResult
    func compareAndSet(_ key: RegisterKey, expected: String, new: String) async -> OperationOutcome {
        guard let entry = layout.nameDirectories[key.name] else { return .failed }
        return await change(key, .compareAndSet(expected: expected, new: new)) {
            try await client.write(.rename(
                gfid: entry.file, from: EntryLocation(parent: entry.directory, name: try FileName(expected)),
                to: EntryLocation(parent: entry.directory, name: try FileName(new)), noReplace: true))
        }
    }

    /// Lists the register's directory: the one name in it is the value.
    @discardableResult
    func readName(of key: RegisterKey) async -> RegisterState? {
        await read(key) { await currentName(of: key) }
    }

    func currentName(of key: RegisterKey) async -> RegisterState? {
        guard let entry = layout.nameDirectories[key.name],
            case .directory(let page) = try? await client.read(.readdir(gfid: entry.directory, cookie: 0, maxEntries: 64)),
            page.isLastPage
        else { return nil }
        let names = page.entries.map { $0.name.description }.sorted()
        return names.isEmpty ? .absent : .list(names)
    }

    // MARK: Recording

    /// Runs a read and records what it saw, timed around it; a read that learned nothing is
    /// left out (it had no effect and tells nothing).
    private func read(_ key: RegisterKey, _ body: () async -> RegisterState?) async -> RegisterState? {
        let invoked = recorder.now()
        let state = await body()
        if let state {
            recorder.record(HistoryOperation(client: number, key: key.name, kind: .read, invokedAt: invoked, completedAt: recorder.now(), outcome: .ok(.observed(state))))
        }
        return state
    }

    /// Runs the step of a change that takes effect and records it, timed around that step, with
    /// its outcome: done (swapped, for a compare-and-set; a refusal that the expected name was
    /// gone is "not swapped"), certainly not done, or either.
    @discardableResult
    private func change(_ key: RegisterKey, _ kind: OperationKind, _ body: () async throws -> OperationReply) async -> OperationOutcome {
        let invoked = recorder.now()
        let result = await step(body)
        let swaps: Bool
        if case .compareAndSet = kind { swaps = true } else { swaps = false }
        let outcome: OperationOutcome =
            switch result {
            case .answered: .ok(swaps ? .swapped(true) : .done)
            case .refused(let error) where swaps && (error.code == .ENOENT || error.code == .ESTALE): .ok(.swapped(false))
            case .refused: .failed
            case .unknown: .indeterminate
            }
        let operation = HistoryOperation(client: number, key: key.name, kind: kind, invokedAt: invoked, completedAt: recorder.now(), outcome: outcome)
        recorder.record(operation)
        if case .refused(let error) = result, outcome == .failed { recorder.recordRefusal(operation, error: error) }
        return outcome
    }

    /// Runs the step that takes effect and sorts its end: a reply, a refusal (the operation's
    /// own answer, so it certainly did nothing more), or unknown (the client gave up while the
    /// step may have been applied, or it was applied and its result lost in a restart).
    private func step(_ body: () async throws -> OperationReply) async -> StepResult {
        do {
            return .answered(try await body())
        } catch let error as JBRError where !VolumeClient.isTransient(error.code) && error.code != .notLeader && error.code != .resultUnknown {
            return .refused(error)
        } catch {
            return .unknown
        }
    }
}
