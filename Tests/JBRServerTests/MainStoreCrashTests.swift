import JBRCore
import Testing
@testable import JBRServer

/// Crashes injected between any two changes the store makes to the disk (`StoreFaults`), then
/// a restart: reopen, replay the journal from the applied-through mark, go on. Whatever step an
/// operation, a checkpoint or the restart itself was cut at, the store ends as the model says,
/// passes its own consistency check, and a replay of the whole journal changes nothing.
@Suite struct MainStoreCrashTests {
    @Test(arguments: [IdentityNamespace.trusted, .user], Array(UInt64(1)...10))
    func crashesAtAnyChangeThenReplayFromTheMarkConverge(namespace: IdentityNamespace, seed: UInt64) throws {
        let fixture = try MainStoreFixture(namespace: namespace)
        guard let root = try fixture.read(.stat(gfid: .root)).attributes else { throw JBRError(.EIO, "no root") }
        var model = MainStoreModel(root: root)
        var generator = MainStoreOperationGenerator(seed: seed)
        var journal: [StoreLogEntry] = []
        for _ in 0..<90 {
            let logged = fixture.entry(generator.next(model))
            _ = model.apply(logged.entry.operation, at: logged.entry.sequencedAt)
            journal.append(logged)
        }

        var random = SplitMix64(seed: seed)
        var crashes = 0
        var life = 0
        while true {
            life += 1
            let faults = StoreFaults(changesBeforeCrash: Int(random.next() % 40) + 10 * life)
            if try runOneLife(fixture.brickPath, journal: journal, faults: faults) { break }
            crashes += 1
            try #require(life < 200, "seed \(seed): no progress after \(life) restarts")
        }
        #expect(crashes > 3, "seed \(seed): the faults should have cut the run several times")

        let store = try MainStore.open(brick: fixture.brickPath)
        #expect(store.appliedThrough == journal.last!.position)
        let differences = treeDifferences(try storeTree(store), model.tree)
        #expect(differences == "", "seed \(seed): after \(crashes) crashes the tree differs")
        let problems = try store.check()
        #expect(problems == [], "seed \(seed)")
        // Whatever the crashes left, replaying the whole journal again changes nothing.
        for logged in journal { _ = try store.apply(logged.entry, at: logged.position) }
        #expect(treeDifferences(try storeTree(store), model.tree) == "", "seed \(seed): a full replay after recovery diverged")
    }

    /// Opens the store, replays and applies the journal after its mark, checkpointing every 7
    /// entries. Returns true if it got to the end, false if the injected crash stopped it.
    private func runOneLife(_ brick: String, journal: [StoreLogEntry], faults: StoreFaults) throws -> Bool {
        let store: MainStore
        do {
            store = try MainStore.open(brick: brick, faults: faults)
        } catch {
            try #require(faults.hasCrashed, "open failed without a crash: \(error)")
            return false
        }
        do {
            for logged in journal where logged.position > store.appliedThrough {
                _ = try store.apply(logged.entry, at: logged.position)
                if logged.position.index.rawValue % 7 == 0 || logged.position == journal.last!.position {
                    try store.checkpoint(through: logged.position)
                }
            }
            return true
        } catch {
            try #require(faults.hasCrashed, "a failure without a crash: \(error)")
            #expect(error.error.code == .EIO)
            return false
        }
    }
}
