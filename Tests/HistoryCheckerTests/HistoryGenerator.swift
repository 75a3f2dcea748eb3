import HistoryChecker

/// Seeded random histories that are linearizable by construction: every operation that takes
/// effect gets a linearization point (inside its interval when acknowledged, anywhere after its
/// invocation when indeterminate), and results come from `RegisterModel` applied in point order.
/// Every written, appended or swapped-in value is unique.
struct HistoryGenerator {
    struct Settings {
        var keys: [String] = ["a", "b"]
        var clients = 4
        var operationsPerClient = 15
        /// Longest interval, in time units.
        var maxLatency: UInt64 = 30
        /// Longest pause between a client's operations.
        var maxThinkTime: UInt64 = 5
        var failedPercent = 5
        var indeterminatePercent = 10
        /// Weights of read, write, append and compare-and-set.
        var mix = (read: 40, write: 25, append: 20, compareAndSet: 15)
    }

    private struct Planned {
        var client: UInt64
        var key: String
        var kind: OperationKind
        var invoked: UInt64
        var completed: UInt64?
        var outcome: OperationOutcome
        /// When it takes effect; `nil` if it never does.
        var point: UInt64?
    }

    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// A history and each key's state once everything that takes effect has.
    mutating func generate(_ settings: Settings) -> (operations: [HistoryOperation], finalStates: [String: RegisterState]) {
        var planned: [Planned] = []
        var written: [String: [String]] = [:]
        for client in 0..<UInt64(settings.clients) {
            var time = random.u64(0..<20)
            for number in 0..<settings.operationsPerClient {
                let key = random.element(settings.keys)
                let kind = randomKind(settings, key: key, value: "c\(client).\(number)", written: written[key] ?? [])
                if let value = kind.writtenValue { written[key, default: []].append(value) }
                let operation = plan(kind, client: client, key: key, at: time + random.u64(0..<5), settings)
                planned.append(operation)
                time = (operation.completed ?? operation.invoked + settings.maxLatency) + random.u64(1..<(settings.maxThinkTime + 2))
            }
        }
        var finalStates = resolveResults(&planned)
        for key in settings.keys where finalStates[key] == nil { finalStates[key] = .absent }
        let operations = planned.map {
            HistoryOperation(client: $0.client, key: $0.key, kind: $0.kind, invokedAt: $0.invoked, completedAt: $0.completed, outcome: $0.outcome)
        }
        return (operations, finalStates)
    }

    private mutating func randomKind(_ settings: Settings, key: String, value: String, written: [String]) -> OperationKind {
        let mix = settings.mix
        var roll = random.int(0..<(mix.read + mix.write + mix.append + mix.compareAndSet))
        if roll < mix.read { return .read }
        roll -= mix.read
        if roll < mix.write { return .write(value) }
        roll -= mix.write
        if roll < mix.append { return .append(value) }
        // Expect a recent value most of the time, so some swaps succeed.
        let expected = written.isEmpty || random.chance(10) ? nil : random.element(Array(written.suffix(3)))
        return .compareAndSet(expected: expected, new: value)
    }

    private mutating func plan(_ kind: OperationKind, client: UInt64, key: String, at invoked: UInt64, _ settings: Settings) -> Planned {
        let duration = 1 + random.u64(0..<settings.maxLatency)
        let completed = invoked + duration
        let roll = random.int(0..<100)
        if roll < settings.failedPercent {
            return Planned(client: client, key: key, kind: kind, invoked: invoked, completed: completed, outcome: .failed, point: nil)
        }
        if roll < settings.failedPercent + settings.indeterminatePercent {
            // Takes effect half the time, possibly long after the client gave up.
            let point = random.chance(50) ? invoked + random.u64(0..<(3 * settings.maxLatency)) : nil
            let gaveUp = random.chance(50) ? completed : nil
            return Planned(client: client, key: key, kind: kind, invoked: invoked, completed: gaveUp, outcome: .indeterminate, point: point)
        }
        let point = invoked + random.u64(0..<(duration + 1))
        return Planned(client: client, key: key, kind: kind, invoked: invoked, completed: completed, outcome: .ok(.done), point: point)
    }

    /// Runs the model in linearization-point order and records what each acknowledged operation returned.
    private func resolveResults(_ planned: inout [Planned]) -> [String: RegisterState] {
        var states: [String: RegisterState] = [:]
        let order = planned.indices.filter { planned[$0].point != nil }.sorted { (planned[$0].point!, $0) < (planned[$1].point!, $1) }
        for index in order {
            let key = planned[index].key
            let (next, result) = RegisterModel.apply(planned[index].kind, to: states[key] ?? RegisterModel.initialState)
            states[key] = next
            if case .ok = planned[index].outcome { planned[index].outcome = .ok(result) }
        }
        return states
    }

}
