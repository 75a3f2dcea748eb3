import HistoryChecker
import Testing

@Suite struct CounterexampleTests {
    /// A stale read in the middle of a longer history: the prefix ends at the stale read, and
    /// the reduced set is exactly the two ordered writes and the read.
    @Test func staleReadIsReducedToTheWritesThatMakeItStale() throws {
        let staleRead = read("a", 70...80, client: 3)
        let history = [
            write("x", 0...10), read("x", 12...14),
            write("a", 20...30), write("b", 40...50, client: 4), read("b", 55...60), staleRead,
            write("c", 90...100), read("c", 110...120), read("c", 130...140, client: 3),
        ]
        let counterexample = try #require(LinearizabilityChecker.check(history).counterexample)
        #expect(counterexample.prefixEnd == 80)
        #expect(counterexample.completing == [staleRead])
        #expect(counterexample.prefix.count == 6)
        #expect(counterexample.operations.map(\.operation) == [write("a", 20...30), write("b", 40...50, client: 4), staleRead])
        #expect(counterexample.operations.allSatisfy { !$0.isOptional })
        #expect(counterexample.isReduced)
        let text = counterexample.description
        #expect(text.contains("ends at t=80"), "\(text)")
        #expect(text.contains("[70 … 80] client 3  read  ok → \"a\""), "\(text)")
    }

    /// The prefix is found by completion time, even when the operation that cannot be explained
    /// was invoked early: the history is fine until the late write completes.
    @Test func prefixEndsWhereTheHistoryStopsBeingExplainable() throws {
        let history = [
            read("b", 0...100, client: 2),  // could see a write of b that is still to come…
            write("a", 10...20),
            write("b", 110...120, client: 3),  // …but the only write of b is invoked after it ended.
            read("b", 130...140),
        ]
        let counterexample = try #require(LinearizabilityChecker.check(history).counterexample)
        #expect(counterexample.prefixEnd == 100)
        #expect(counterexample.operations.map(\.operation) == [read("b", 0...100, client: 2)])
    }

    /// Indeterminate operations in a counterexample are marked optional and print with "?".
    @Test func optionalOperationsAreMarked() throws {
        let history = [
            write("a", 0...10), indeterminate(.write("b"), from: 20), read("b", 100...110), read("a", 120...130, client: 3),
        ]
        let counterexample = try #require(LinearizabilityChecker.check(history).counterexample)
        #expect(counterexample.operations.map(\.isOptional) == [false, true, false, false])
        #expect(counterexample.description.contains("? [20 … ?] client 4  write \"b\"  indeterminate"), "\(counterexample)")
        #expect(LinearizabilityChecker.check(counterexample.witness).counterexample != nil)
    }
}
