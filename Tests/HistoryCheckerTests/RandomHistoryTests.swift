import HistoryChecker
import Testing

/// Seeded random histories that are linearizable by construction must pass; changing one read so
/// that no order can explain it must fail, with that read in the counterexample (a sound
/// reduction can never drop it, since the unchanged history is linearizable).
@Suite struct RandomHistoryTests {
    static let seeds: [UInt64] = Array(1...150)

    @Test(arguments: seeds)
    func generatedHistoriesPassAndMutatedOnesFail(seed: UInt64) throws {
        var generator = HistoryGenerator(seed: seed)
        var settings = HistoryGenerator.Settings()
        settings.clients = 2 + Int(seed % 4)
        settings.operationsPerClient = 6 + Int(seed % 15)
        if seed % 3 == 0 { settings.mix = (read: 40, write: 10, append: 45, compareAndSet: 5) }
        let (operations, finalStates) = generator.generate(settings)

        let report = HistoryVerifier.check(History(operations), finalStates: finalStates)
        #expect(report.isProvenValid, "seed=\(seed)\n\(report)")

        var random = SplitMix64(seed: seed ^ 0xDEAD_BEEF)
        let mutation = try #require(Mutation.choose(in: operations, using: &random), "seed=\(seed): no ok read to mutate")
        var mutated = operations
        mutated[mutation.index] = mutation.read
        let key = mutation.read.key
        let result = LinearizabilityChecker.check(mutated.filter { $0.key == key })
        let counterexample = try #require(result.counterexample, "seed=\(seed) \(mutation.kind): \(result)")
        #expect(counterexample.operations.contains { $0.operation == mutation.read && !$0.isOptional }, "seed=\(seed) \(mutation.kind)\n\(counterexample)")
        #expect(counterexample.prefixEnd >= mutation.read.completedAt!, "seed=\(seed)")
        #expect(LinearizabilityChecker.check(counterexample.witness).counterexample != nil, "seed=\(seed)")
        if mutation.kind == .duplicated {
            #expect(!HistoryVerifier.valuesAppliedMoreThanOnce(in: History(mutated)).isEmpty, "seed=\(seed)")
        }
    }
}

/// A change to one ok read that makes the history certainly not linearizable (values are unique).
struct Mutation {
    enum Kind: CaseIterable {
        /// Sees a value no operation wrote.
        case neverWritten
        /// Sees the value of a write that a later, completed write replaced before the read began.
        case stale
        /// Sees two appends in the opposite order of their (non-overlapping) intervals.
        case reordered
        /// Sees an appended value twice.
        case duplicated
    }

    var kind: Kind
    var index: Int
    var read: HistoryOperation

    static func choose(in operations: [HistoryOperation], using random: inout SplitMix64) -> Mutation? {
        let reads = operations.indices.filter { if case .ok(.observed) = operations[$0].outcome { true } else { false } }
        guard !reads.isEmpty else { return nil }
        let preferred = random.element(Kind.allCases)
        for kind in [preferred, .neverWritten] {
            for index in reads.shuffled(using: &random) {
                if let state = mutate(operations[index], kind, in: operations) {
                    return Mutation(kind: kind, index: index, read: operations[index].with(outcome: .ok(.observed(state))))
                }
            }
        }
        return nil
    }

    private static func mutate(_ read: HistoryOperation, _ kind: Kind, in operations: [HistoryOperation]) -> RegisterState? {
        guard case .ok(.observed(let state)) = read.outcome else { return nil }
        let sameKey = operations.filter { $0.key == read.key }
        switch kind {
        case .neverWritten:
            return .list(state.values + ["never written"])
        case .stale:
            // A write W, then a completed write or swap W' strictly after it, all before the read.
            let resets = sameKey.filter { operation in
                switch (operation.kind, operation.outcome) {
                case (.write, .ok), (.compareAndSet, .ok(.swapped(true))): operation.completedAt! < read.invokedAt
                default: false
                }
            }
            for old in resets {
                guard case .write(let value) = old.kind, state != .value(value) else { continue }
                if resets.contains(where: { old.completedAt! < $0.invokedAt }) { return .value(value) }
            }
            return nil
        case .reordered:
            let values = state.values
            func append(of value: String) -> HistoryOperation? {
                sameKey.first { $0.kind == .append(value) && $0.outcome == .ok(.done) }
            }
            for i in values.indices {
                for j in values.indices where j > i {
                    guard let first = append(of: values[i]), let second = append(of: values[j]),
                          first.completedAt! < second.invokedAt else { continue }
                    var swapped = values
                    swapped.swapAt(i, j)
                    return .list(swapped)
                }
            }
            return nil
        case .duplicated:
            guard let value = state.values.first(where: { value in sameKey.contains { $0.kind == .append(value) } }) else { return nil }
            return .list(state.values + [value])
        }
    }
}
