import NIOCore
import Synchronization

/// What a brick does with the core's outputs; `CoreLoop` calls it on the brick's event loop,
/// except `carryOutOnDisk`.
protocol ReplicaShell: AnyObject, Sendable {
    /// The part of an output that waits for the disk (hard state, journal truncation), off the
    /// event loop; nothing else steps until it is done.
    func carryOutOnDisk(_ output: ReplicaOutput) async throws
    /// The rest, in `ReplicaOutput`'s order, without blocking.
    func carryOutAtOnce(_ output: ReplicaOutput) throws
    /// After a run of steps, and before waiting for the disk: finish what the steps left for
    /// the end (writes that go together, flushes of connections).
    func endOfSteps()
    /// After a run of steps: the core as it now is, for status and metrics.
    func publish(_ core: ReplicaCore)
    /// An output could not be carried out; the core has stopped.
    func coreFailed(_ error: any Error)
}

/// Runs the replica core on the brick's event loop: inputs from that loop (peers' messages,
/// clients' requests) are stepped on the thread that read them; inputs from other threads (the
/// journal's writer, the store's thread) are handed to the loop.
///
/// Every hand-off between threads is a wake-up, and a replicated write used to take a dozen of
/// them through a core task of its own; here the messages that carry a write step it where they
/// land. Inputs are stepped in runs: all that one turn of the loop read, then `endOfSteps`, so
/// what the run sends to one peer leaves in one system call and a follower's records in one
/// journal write. Steps never nest: an input that arrives while one is carried out (a durable
/// action that runs at once) waits in the queue and is stepped in the same run.
final class CoreLoop: Sendable {
    let eventLoop: any EventLoop
    private let state: NIOLoopBoundBox<State>
    /// Set by `stop`, readable from any thread: a shell waiting on the disk gives up on it.
    private let stoppedFlag = Atomic<Bool>(false)

    var isStopped: Bool { stoppedFlag.load(ordering: .acquiring) }

    private final class State {
        var core: ReplicaCore
        var queue = CircularBuffer<ReplicaInput>()
        var shell: (any ReplicaShell)?
        /// A step is being carried out (or waits for the disk): later inputs queue.
        var busy = false
        /// A run is scheduled for this turn of the loop.
        var runScheduled = false
        var stopped = false

        init(_ core: ReplicaCore) { self.core = core }
    }

    init(core: ReplicaCore, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.state = .makeBoxSendingValue(State(core), eventLoop: eventLoop)
    }

    /// Starts stepping, with `shell` carrying out the outputs; inputs submitted before wait.
    func start(_ shell: any ReplicaShell) {
        eventLoop.execute { [self] in
            state.value.shell = shell
            drain()
        }
    }

    /// Stops stepping: queued and later inputs are dropped, the shell is let go.
    func stop() async {
        stoppedFlag.store(true, ordering: .releasing)
        try? await eventLoop.submit { [self] in
            let state = state.value
            state.stopped = true
            state.shell = nil
            state.queue.removeAll()
        }.get()
    }

    func submit(_ input: ReplicaInput) {
        if eventLoop.inEventLoop {
            enqueue(input)
        } else {
            eventLoop.execute { [self] in enqueue(input) }
        }
    }

    private func enqueue(_ input: ReplicaInput) {
        let state = state.value
        guard !state.stopped else { return }
        state.queue.append(input)
        guard !state.busy, !state.runScheduled else { return }
        // After whatever else this turn of the loop reads (scheduling from the loop itself wakes
        // nothing), so that the run takes it all.
        state.runScheduled = true
        eventLoop.execute { [self] in
            self.state.value.runScheduled = false
            drain()
        }
    }

    private func drain() {
        let state = state.value
        guard !state.busy, let shell = state.shell else { return }
        state.busy = true
        var stepped = false
        while !state.stopped, !state.queue.isEmpty {
            while !state.stopped, let input = state.queue.popFirst() {
                let output = state.core.step(input)
                stepped = true
                if output.hardState != nil || output.truncateAfter != nil {
                    shell.endOfSteps()
                    shell.publish(state.core)
                    // Stays busy: what comes next must see this on disk.
                    Task { [self] in
                        do {
                            try await shell.carryOutOnDisk(output)
                        } catch {
                            return eventLoop.execute { [self] in fail(error, shell) }
                        }
                        eventLoop.execute { [self] in resume(after: output, shell) }
                    }
                    return
                }
                carryOut(output, shell)
            }
            // May bring inputs of its own (a journal write done here reports itself durable):
            // they are stepped next, in this run.
            shell.endOfSteps()
        }
        if stepped { shell.publish(state.core) }
        state.busy = false
    }

    private func resume(after output: ReplicaOutput, _ shell: any ReplicaShell) {
        let state = state.value
        guard !state.stopped else { return }
        carryOut(output, shell)
        shell.endOfSteps()
        shell.publish(state.core)
        state.busy = false
        drain()
    }

    private func carryOut(_ output: ReplicaOutput, _ shell: any ReplicaShell) {
        do {
            try shell.carryOutAtOnce(output)
        } catch {
            fail(error, shell)
        }
    }

    private func fail(_ error: any Error, _ shell: any ReplicaShell) {
        let state = state.value
        guard !state.stopped else { return }
        state.stopped = true
        state.queue.removeAll()
        shell.coreFailed(error)
    }
}
