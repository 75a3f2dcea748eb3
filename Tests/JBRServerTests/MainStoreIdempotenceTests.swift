import JBRCore
import NIOCore
import Testing
@testable import JBRServer

/// Random operation sequences, compared step by step with `MainStoreModel`: the same result
/// codes, the same tree; an entry applied again is found applied and changes nothing; the same
/// operation sent again as a new entry is idempotent; replaying the whole sequence from any
/// earlier point converges on the same tree.
@Suite struct MainStoreIdempotenceTests {
    static let seeds: [UInt64] = Array(1...12)

    @Test(arguments: seeds)
    func randomSequencesMatchTheModelAndSurviveRepeats(seed: UInt64) throws {
        var history: [StoreLogEntry] = []
        try run(MainStoreFixture(), seed: seed, steps: 160, history: &history)
    }

    @Test(arguments: seeds)
    func replayingFromAnEarlierPointConverges(seed: UInt64) throws {
        let fixture = try MainStoreFixture()
        var history: [StoreLogEntry] = []
        let expected = try run(fixture, seed: seed &+ 1000, steps: 120, history: &history)
        var random = SplitMix64(seed: seed)
        for round in 0..<3 {
            let start = Int(random.next() % UInt64(history.count))
            for logged in history[start...] { try fixture.replay(logged) }
            let differences = treeDifferences(try storeTree(fixture.store), expected)
            #expect(differences == "", "seed \(seed) round \(round): replay from entry \(start) diverged")
            #expect(try fixture.store.check() == [], "seed \(seed) round \(round)")
        }
        // And after a reopen (as after a crash), once more from the start.
        try fixture.reopen()
        for logged in history { try fixture.replay(logged) }
        #expect(treeDifferences(try storeTree(fixture.store), expected) == "", "seed \(seed): full replay after reopen diverged")
    }

    @Test(arguments: [UInt64(101), 102, 103])
    func theUserNamespaceStoreBehavesAlike(seed: UInt64) throws {
        let fixture = try MainStoreFixture(namespace: .user)
        #expect(fixture.store.identityNamespace == .user)
        var history: [StoreLogEntry] = []
        let expected = try run(fixture, seed: seed, steps: 120, history: &history)
        for logged in history[(history.count / 2)...] { try fixture.replay(logged) }
        #expect(treeDifferences(try storeTree(fixture.store), expected) == "", "seed \(seed): replay diverged in the user namespace")
    }

    /// Applies `steps` random operations, checking each against the model, repeating some
    /// (the same entry, or the same operation as a new entry); returns the final tree.
    @discardableResult
    private func run(_ fixture: MainStoreFixture, seed: UInt64, steps: Int, history: inout [StoreLogEntry]) throws -> [String: TreeObject] {
        guard let root = try fixture.read(.stat(gfid: .root)).attributes else { throw JBRError(.EIO, "no root") }
        var model = MainStoreModel(root: root)
        var generator = MainStoreOperationGenerator(seed: seed)
        for step in 0..<steps {
            let operation = generator.next(model)
            var logged = fixture.entry(operation)
            try applyAndCompare(logged, to: fixture, model: &model, "seed \(seed) step \(step)")
            history.append(logged)
            let repetition = generator.repetition()
            switch repetition {
            case .none:
                break
            case .sameEntry:
                // Found applied; or run again if it touched nothing that exists (then it fails again).
                let outcome = try fixture.replay(logged)
                if case let .applied(result) = outcome {
                    #expect(result.failureCode != nil, "seed \(seed) step \(step): \(describe(operation)) applied twice: \(outcome)")
                }
            case .newEntry:
                logged = fixture.entry(operation)
                try applyAndCompare(logged, to: fixture, model: &model, "seed \(seed) step \(step) (sent again)")
                history.append(logged)
            }
            if repetition != .none || step % 10 == 9 || step == steps - 1 {
                let tree = try storeTree(fixture.store)
                try #require(tree == model.tree, "seed \(seed) step \(step): \(describe(operation)): trees differ:\n\(treeDifferences(tree, model.tree))")
            }
        }
        #expect(try fixture.store.check() == [], "seed \(seed)")
        return model.tree
    }

    private func applyAndCompare(_ logged: StoreLogEntry, to fixture: MainStoreFixture, model: inout MainStoreModel, _ context: String) throws {
        let expected = model.apply(logged.entry.operation, at: logged.entry.sequencedAt)
        let result = try fixture.apply(logged)
        try #require(result.failureCode == expected, "\(context): \(describe(logged.entry.operation)): store \(result), model \(expected.map { "\($0)" } ?? "success")")
    }

    private func describe(_ operation: FileOperation) -> String {
        "\(operation.name) \(operation.fields.map { "\($0.name)=\($0.value)" }.joined(separator: " "))"
    }
}
