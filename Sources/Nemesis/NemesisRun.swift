import Foundation
import HistoryChecker
import JBRClient
import JBRCore
import JBRServer

/// A nemesis run: a 3-brick volume of real processes on loopback, clients reading, writing and
/// compare-and-setting registers through renames, and appending lines to logs, while faults are injected (kill -9, a killed
/// majority, SIGSTOP, partitions both ways and one way, a full disk), then everything healed.
/// The recorded history is checked for linearizability per register, lost acknowledged writes
/// and operations applied twice; the bricks must converge to identical trees.
public enum NemesisRun {
    /// Runs one nemesis; `log` gets a line per fault and phase as it goes. Throws only when the
    /// volume cannot be set up; what goes wrong later is in the report.
    public static func run(_ options: NemesisOptions, log: @Sendable (String) -> Void = { _ in }) async throws -> NemesisReport {
        let began = ContinuousClock.now
        var report = NemesisReport(seed: options.seed, faultySeconds: options.seconds)
        let wantsDisks = options.faultKinds.contains(.diskFull)
        let volume = try await NemesisVolume.make(root: options.directory, server: options.server, diskBytes: wantsDisks ? options.diskBytes : nil)
        var kinds = options.faultKinds
        if wantsDisks && !volume.canFillDisks {
            kinds.removeAll { $0 == .diskFull }
            report.kindsUnavailable = [.diskFull]
            log("no tmpfs for the bricks (mounting needs root): no disk-full faults")
        }
        let recorder = HistoryRecorder()
        var finalStates: [String: RegisterState]?
        let watcher: VolumeClient
        do {
            watcher = try volume.makeClient(name: "nemesis-watcher", timeout: .seconds(30), attemptTimeout: .seconds(1))
        } catch {
            await volume.stop()
            volume.unmountDisks()
            throw error
        }
        do {
            try (0..<NemesisVolume.brickCount).forEach(volume.start)
            guard await leader(of: watcher, within: .seconds(30)) != nil else { throw JBRError(.timedOut, "no leader within 30 s of starting") }
            let keys = (0..<options.contentKeys).map { RegisterKey(name: "file-\($0)", kind: .contents) }
                + (0..<options.nameKeys).map { RegisterKey(name: "name-\($0)", kind: .fileName) }
                + (0..<options.logKeys).map { RegisterKey(name: "log-\($0)", kind: .appendLog) }
            let layout = try await setUp(keys, client: watcher, recorder: recorder)
            log("volume up in \(volume.root); \(options.clients) clients on \(keys.count) registers, faults for \(options.seconds) s")

            let clients = try (1...max(1, options.clients)).map { number in
                RegisterClient(
                    number: UInt64(number),
                    client: try volume.makeClient(
                        name: "nemesis-client-\(number)",
                        timeout: number <= options.impatientClients ? options.impatientTimeout : options.operationTimeout,
                        attemptTimeout: number <= options.impatientClients ? .milliseconds(500) : .seconds(1)),
                    layout: layout, recorder: recorder)
            }
            var planner = NemesisFaultPlanner(seed: options.seed, kinds: kinds)
            let stop = StopSignal()
            let known = KnownValues()
            let seeds = clients.map { _ in planner.nextSeed() }
            await withTaskGroup(of: Void.self) { group in
                for (client, seed) in zip(clients, seeds) {
                    group.addTask { await drive(client, keys: keys, known: known, seed: seed, stop: stop) }
                }
                await injectFaults(into: volume, watcher: watcher, planner: &planner, until: ContinuousClock.now + .seconds(options.seconds), report: &report, log: log)
                do {
                    try volume.restoreAll()
                } catch {
                    report.problems.append("could not restore the volume: \(error)")
                }
                log("healed; \(options.healedSeconds) s more of operations")
                try? await Task.sleep(for: .seconds(options.healedSeconds))
                stop.stop()
                await group.waitForAll()
            }
            for client in clients { await client.client.close() }

            log("waiting for the bricks to converge")
            if let statuses = await converged(watcher, within: .seconds(90)) {
                report.finalTerm = statuses.map(\.term.rawValue).max() ?? 0
                finalStates = await readFinalStates(keys, client: RegisterClient(number: .max, client: watcher, layout: layout, recorder: recorder), report: &report)
                compareTrees(of: volume, report: &report)
            } else {
                let lines = await watcher.status(timeout: .seconds(2)).map { entry in
                    "\(entry.brick.replicaID): " + ((try? entry.status.get()).map { "\($0)" } ?? "unreachable")
                }
                report.problems.append("the bricks did not converge within 90 s of healing: " + lines.joined(separator: "; "))
            }
            for (brick, status) in volume.reviveExited() { report.problems.append("brick \(brick + 1) exited by itself with status \(status)") }
        } catch {
            report.problems.append("the run stopped: \(error)")
        }
        await watcher.close()
        await volume.stop()

        report.history = recorder.history
        report.refusals = recorder.refusalsRecorded
        log("checking \(report.history.count) operations")
        let checking = ContinuousClock.now
        report.check = HistoryVerifier.check(report.history, finalStates: finalStates)
        report.checkSeconds = (ContinuousClock.now - checking).seconds
        if finalStates == nil { report.problems.append("no final reads: the history was checked without them") }
        report.elapsedSeconds = (ContinuousClock.now - began).seconds
        finish(volume, report: &report, keep: options.keepDirectory)
        return report
    }

    // MARK: Phases

    /// Directories for the registers and the staging area, and each file-name register's
    /// directory with its one file; the initial names are recorded as writes done before any
    /// client began.
    private static func setUp(_ keys: [RegisterKey], client: VolumeClient, recorder: HistoryRecorder) async throws -> RegisterLayout {
        let owner = Owner(uid: 0, gid: 0)
        let registers = try await client.makeDirectory("/registers")
        let staging = try await client.makeDirectory("/staging")
        let names = try await client.makeDirectory("/names")
        var nameDirectories: [String: (directory: GFID, file: GFID)] = [:]
        for key in keys where key.kind == .fileName {
            guard case .attributes(let directory) = try await client.write(.mkdir(EntryLocation(parent: names.gfid, name: try FileName(key.name)), gfid: .null, permissions: 0o755, owner: owner)),
                case .attributes(let file) = try await client.write(.create(
                    EntryLocation(parent: directory.gfid, name: try FileName(RegisterKey.initialName)), gfid: .null, permissions: 0o644, owner: owner, exclusive: true))
            else { throw JBRError(.EIO, "setting up \(key.name) answered with something other than attributes") }
            nameDirectories[key.name] = (directory.gfid, file.gfid)
        }
        var logFiles: [String: GFID] = [:]
        for key in keys where key.kind == .appendLog {
            guard case .attributes(let file) = try await client.write(.create(
                EntryLocation(parent: registers.gfid, name: try FileName(key.name)), gfid: .null, permissions: 0o644, owner: owner, exclusive: true))
            else { throw JBRError(.EIO, "setting up \(key.name) answered with something other than attributes") }
            try await client.append(Array((RegisterKey.initialName + "\n").utf8), toFile: file.gfid)
            logFiles[key.name] = file.gfid
        }
        let done = recorder.now()
        for key in keys where key.kind != .contents {
            let kind: OperationKind = key.kind == .fileName ? .write(RegisterKey.initialName) : .append(RegisterKey.initialName)
            recorder.record(HistoryOperation(client: 0, key: key.name, kind: kind, invokedAt: 0, completedAt: done, outcome: .ok(.done)))
        }
        return RegisterLayout(registers: registers.gfid, staging: staging.gfid, nameDirectories: nameDirectories, logFiles: logFiles)
    }

    /// One client's loop: a register at random, a read or a change, until told to stop.
    private static func drive(_ client: RegisterClient, keys: [RegisterKey], known: KnownValues, seed: UInt64, stop: StopSignal) async {
        var random = SplitMix64(seed: seed)
        var sequence = 0
        while !stop.isStopped {
            guard let key = keys.randomElement(using: &random) else { return }
            let reads = Bool.random(using: &random)
            sequence += 1
            let value = "c\(client.number)-\(sequence)"
            switch (key.kind, reads) {
            case (.contents, true):
                await client.readContents(of: key)
            case (.contents, false):
                await client.write(value, to: key)
            case (.fileName, true):
                if case .list(let names)? = await client.readName(of: key), names.count == 1 { known.saw(names[0], in: key.name) }
            case (.fileName, false):
                if await client.compareAndSet(key, expected: known.guess(for: key.name, using: &random), new: value) == .ok(.swapped(true)) {
                    known.saw(value, in: key.name)
                }
            case (.appendLog, true):
                await client.readLog(of: key)
            case (.appendLog, false):
                await client.append(value, to: key)
            }
        }
    }

    /// Faults one after another, each healed before a quiet gap and the next, until `deadline`.
    private static func injectFaults(
        into volume: NemesisVolume, watcher: VolumeClient, planner: inout NemesisFaultPlanner, until deadline: ContinuousClock.Instant,
        report: inout NemesisReport, log: (String) -> Void
    ) async {
        var lastLeader: Int?
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: planner.quietGap())
            for (brick, status) in volume.reviveExited() {
                report.problems.append("brick \(brick + 1) exited by itself with status \(status)")
                log("brick \(brick + 1) exited by itself with status \(status); restarted")
            }
            let leader = await leader(of: watcher, within: .seconds(1))
            if let leader {
                if let lastLeader, lastLeader != leader { report.leaderChangesSeen += 1 }
                lastLeader = leader
            }
            let fault = planner.next(leader: leader, brickCount: NemesisVolume.brickCount)
            log("fault \(report.faults.count + 1): \(fault)")
            do {
                try await inject(fault, into: volume)
                report.faults.append(fault)
            } catch {
                report.problems.append("fault \(fault) could not be undone: \(error)")
            }
        }
    }

    /// Injects `fault`, waits its duration, undoes it.
    private static func inject(_ fault: NemesisFault, into volume: NemesisVolume) async throws {
        switch fault.kind {
        case .kill, .killTwo: fault.bricks.forEach(volume.kill)
        case .pause: volume.pause(fault.bricks[0])
        case .isolate: volume.isolate(fault.bricks[0])
        case .oneWayCut: volume.cut(from: fault.bricks[0], to: fault.bricks[1])
        case .diskFull: volume.fillDisk(fault.bricks[0])
        }
        try? await Task.sleep(for: fault.duration)
        switch fault.kind {
        case .kill, .killTwo: try fault.bricks.forEach(volume.start)
        case .pause: volume.resume(fault.bricks[0])
        case .isolate, .oneWayCut: volume.heal()
        case .diskFull: volume.freeDisk(fault.bricks[0])
        }
    }

    /// The brick that leads, once exactly one says it does; nil if none within `timeout`.
    private static func leader(of watcher: VolumeClient, within timeout: Duration) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let leaders = await watcher.status(timeout: .milliseconds(500)).enumerated().compactMap { number, entry in
                (try? entry.status.get())?.role == "leader" ? number : nil
            }
            if leaders.count == 1 { return leaders[0] }
            try? await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return nil
    }

    /// Every brick's status once one leads and all hold, commit and apply the same last entry.
    private static func converged(_ watcher: VolumeClient, within timeout: Duration) async -> [BrickStatus]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let statuses = await watcher.status(timeout: .seconds(1)).compactMap { try? $0.status.get() }
            if statuses.count == NemesisVolume.brickCount, statuses.count(where: { $0.role == "leader" }) == 1, Set(statuses.map(\.last)).count == 1,
                statuses.allSatisfy({ $0.commit == $0.last.index && $0.applied == $0.last.index })
            {
                return statuses
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    /// Each register's state, read through the leader once all is healed.
    private static func readFinalStates(_ keys: [RegisterKey], client: RegisterClient, report: inout NemesisReport) async -> [String: RegisterState]? {
        var states: [String: RegisterState] = [:]
        for key in keys {
            for _ in 0..<20 where states[key.name] == nil {
                switch key.kind {
                case .contents: states[key.name] = await client.currentContents(of: key)
                case .fileName: states[key.name] = await client.currentName(of: key)
                case .appendLog: states[key.name] = await client.currentLog(of: key)
                }
                if states[key.name] == nil { try? await Task.sleep(for: .milliseconds(250)) }
            }
            if states[key.name] == nil {
                report.problems.append("the final read of \(key.name) failed 20 times")
                return nil
            }
        }
        return states
    }

    /// Every brick must hold the same tree (contents, modes, owners, links, stamps).
    private static func compareTrees(of volume: NemesisVolume, report: inout NemesisReport) {
        do {
            let trees = try (0..<NemesisVolume.brickCount).map { try BrickTreeDigest.describe(brick: volume.brickPath($0)) }
            for number in 1..<trees.count where trees[number] != trees[0] {
                let difference = trees[number].difference(from: trees[0])
                let sample = difference.prefix(4).map { change in
                    switch change {
                    case .insert(_, let line, _): "+ \(line)"
                    case .remove(_, let line, _): "- \(line)"
                    }
                }
                report.problems.append("brick \(number + 1)'s tree differs from brick 1's in \(difference.count) lines: " + sample.joined(separator: "; "))
            }
        } catch {
            report.problems.append("could not read the bricks' trees: \(error)")
        }
    }

    /// Writes the history and the report into the run's folder; keeps the folder after a
    /// violation or when asked (the bricks copied out of their tmpfs first), removes it otherwise.
    private static func finish(_ volume: NemesisVolume, report: inout NemesisReport, keep: Bool) {
        let root = URL(fileURLWithPath: volume.root)
        if keep || !report.isValid {
            for number in 0..<NemesisVolume.brickCount where volume.brickPath(number) != root.path + "/b\(number + 1)" {
                try? FileManager.default.copyItem(atPath: volume.brickPath(number), toPath: root.path + "/b\(number + 1)")
            }
            volume.unmountDisks()
            try? report.history.write(to: root.appendingPathComponent("history.jsonl"))
            try? Data(report.text.utf8).write(to: root.appendingPathComponent("report.txt"))
            report.keptDirectory = root.path
        } else {
            volume.unmountDisks()
            try? FileManager.default.removeItem(at: root)
        }
    }
}
