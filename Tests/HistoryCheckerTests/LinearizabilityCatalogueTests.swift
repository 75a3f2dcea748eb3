import HistoryChecker
import Testing

/// Hand-written histories with known verdicts. Each "not linearizable" row is one a checker that
/// ignores real time, indeterminacy, failure or the model would wrongly pass, and each
/// "linearizable" row one that an over-strict checker would wrongly fail. The brute-force
/// reference checker must agree on every row, so the table itself is checked.
struct LinearizabilityCase: Sendable, CustomTestStringConvertible {
    var name: String
    var linearizable: Bool
    var operations: [HistoryOperation]

    var testDescription: String { name }

    static let catalogue: [LinearizabilityCase] = registers + indeterminacy + compareAndSet + appends

    static let registers: [LinearizabilityCase] = [
        .init(name: "empty history", linearizable: true, operations: []),
        .init(name: "sequential write then read", linearizable: true, operations: [
            write("a", 0...10), read("a", 20...30),
        ]),
        .init(name: "sequential: absent, write, read, overwrite, read", linearizable: true, operations: [
            read(.absent, 0...5), write("a", 10...20), read("a", 30...40), write("b", 50...60), read("b", 70...80),
        ]),
        .init(name: "read absent after a completed write", linearizable: false, operations: [
            write("a", 0...10), read(.absent, 20...30),
        ]),
        .init(name: "concurrent writes, later read sees the first", linearizable: true, operations: [
            write("a", 0...100, client: 1), write("b", 10...90, client: 3), read("a", 200...210),
        ]),
        .init(name: "concurrent writes, later read sees the second", linearizable: true, operations: [
            write("a", 0...100, client: 1), write("b", 10...90, client: 3), read("b", 200...210),
        ]),
        .init(name: "concurrent writes, later reads disagree", linearizable: false, operations: [
            write("a", 0...100, client: 1), write("b", 10...90, client: 3), read("a", 200...210), read("b", 220...230),
        ]),
        .init(name: "read concurrent with a write sees the old value", linearizable: true, operations: [
            write("a", 0...10), write("b", 20...40), read("a", 25...30),
        ]),
        .init(name: "read concurrent with a write sees the new value", linearizable: true, operations: [
            write("a", 0...10), write("b", 20...40), read("b", 25...30),
        ]),
        .init(name: "intervals that touch are concurrent", linearizable: true, operations: [
            write("a", 0...10), write("b", 10...20), read("a", 20...30),
        ]),
        .init(name: "stale read after a completed write", linearizable: false, operations: [
            write("a", 0...10), write("b", 20...30), read("a", 40...50),
        ]),
        .init(name: "reads going back in time during a write", linearizable: false, operations: [
            write("a", 0...10), write("b", 20...100), read("b", 30...40), read("a", 50...60, client: 3),
        ]),
        .init(name: "read of a value never written", linearizable: false, operations: [
            write("a", 0...10), read("z", 20...30),
        ]),
        .init(name: "read of a value before its write was invoked", linearizable: false, operations: [
            read("a", 0...10), write("a", 20...30),
        ]),
    ]

    static let indeterminacy: [LinearizabilityCase] = [
        .init(name: "indeterminate write later observed", linearizable: true, operations: [
            write("a", 0...10), indeterminate(.write("b"), from: 20, gaveUp: 30), read("b", 100...110),
        ]),
        .init(name: "indeterminate write taking effect long after the client gave up", linearizable: true, operations: [
            write("a", 0...10), indeterminate(.write("b"), from: 20, gaveUp: 30), read("a", 40...50), read("b", 100...110),
        ]),
        .init(name: "indeterminate write never observed", linearizable: true, operations: [
            write("a", 0...10), indeterminate(.write("b"), from: 20), read("a", 100...110),
        ]),
        .init(name: "indeterminate write observed, then undone", linearizable: false, operations: [
            write("a", 0...10), indeterminate(.write("b"), from: 20), read("b", 100...110), read("a", 120...130),
        ]),
        .init(name: "indeterminate write observed before its invocation", linearizable: false, operations: [
            write("a", 0...10), read("b", 20...30), indeterminate(.write("b"), from: 40),
        ]),
        .init(name: "definitely failed write observed", linearizable: false, operations: [
            write("a", 0...10), failed(.write("b"), 20...30), read("b", 40...50),
        ]),
        .init(name: "definitely failed write not observed", linearizable: true, operations: [
            write("a", 0...10), failed(.write("b"), 20...30), read("a", 40...50),
        ]),
        .init(name: "indeterminate read says nothing", linearizable: true, operations: [
            write("a", 0...10), indeterminate(.read, from: 20), read("a", 40...50),
        ]),
    ]

    static let compareAndSet: [LinearizabilityCase] = [
        .init(name: "cas swaps the value it expects", linearizable: true, operations: [
            write("a", 0...10), cas("a", "b", swapped: true, 20...30), read("b", 40...50),
        ]),
        .init(name: "cas claims a swap from a value not held", linearizable: false, operations: [
            write("a", 0...10), cas("c", "b", swapped: true, 20...30),
        ]),
        .init(name: "cas claims no swap though it held the expected value", linearizable: false, operations: [
            write("a", 0...10), cas("a", "b", swapped: false, 20...30),
        ]),
        .init(name: "cas refused while a concurrent write replaced the value", linearizable: true, operations: [
            write("a", 0...10), write("c", 20...40), cas("a", "b", swapped: false, 25...35), read("c", 50...60),
        ]),
        .init(name: "successful cas not seen by a later read", linearizable: false, operations: [
            write("a", 0...10), cas("a", "b", swapped: true, 20...30), read("a", 40...50),
        ]),
        .init(name: "two concurrent cas from the same value both succeed", linearizable: false, operations: [
            write("a", 0...10), cas("a", "b", swapped: true, 20...30, client: 3), cas("a", "c", swapped: true, 20...30, client: 4),
        ]),
        .init(name: "two concurrent cas from the same value, one succeeds", linearizable: true, operations: [
            write("a", 0...10), cas("a", "b", swapped: true, 20...30, client: 3), cas("a", "c", swapped: false, 20...30, client: 4),
            read("b", 40...50),
        ]),
        .init(name: "create-if-absent succeeds once", linearizable: true, operations: [
            cas(nil, "a", swapped: true, 0...10), cas(nil, "b", swapped: false, 20...30), read("a", 40...50),
        ]),
        .init(name: "create-if-absent succeeds twice", linearizable: false, operations: [
            cas(nil, "a", swapped: true, 0...10), cas(nil, "b", swapped: true, 20...30),
        ]),
        .init(name: "indeterminate cas later observed", linearizable: true, operations: [
            write("a", 0...10), indeterminate(.compareAndSet(expected: "a", new: "b"), from: 20), read("b", 40...50),
        ]),
        .init(name: "indeterminate cas cannot swap from a value not held", linearizable: false, operations: [
            write("a", 0...10), indeterminate(.compareAndSet(expected: "z", new: "b"), from: 20), read("b", 40...50),
        ]),
        .init(name: "indeterminate write explains a refused cas", linearizable: true, operations: [
            write("a", 0...10), indeterminate(.write("x"), from: 12), cas("a", "b", swapped: false, 20...30),
        ]),
    ]

    static let appends: [LinearizabilityCase] = [
        .init(name: "sequential appends read in order", linearizable: true, operations: [
            append("x", 0...10), append("y", 20...30), read(.list(["x", "y"]), 40...50),
        ]),
        .init(name: "sequential appends read out of order", linearizable: false, operations: [
            append("x", 0...10), append("y", 20...30), read(.list(["y", "x"]), 40...50),
        ]),
        .init(name: "concurrent appends in either order", linearizable: true, operations: [
            append("x", 0...30, client: 1), append("y", 10...20, client: 3), read(.list(["y", "x"]), 40...50),
        ]),
        .init(name: "read missing an append completed before it", linearizable: false, operations: [
            append("x", 0...10), append("y", 20...30), read(.list(["x"]), 40...50),
        ]),
        .init(name: "an append applied twice", linearizable: false, operations: [
            append("x", 0...10), read(.list(["x", "x"]), 20...30),
        ]),
        .init(name: "a write replaces the appended list", linearizable: true, operations: [
            append("x", 0...10), write("w", 20...30), append("y", 40...50), read(.list(["w", "y"]), 60...70),
        ]),
        .init(name: "a read sees appends from before a completed write", linearizable: false, operations: [
            append("x", 0...10), write("w", 20...30), read(.list(["x", "w"]), 40...50),
        ]),
        .init(name: "indeterminate append in the middle", linearizable: true, operations: [
            append("x", 0...10), indeterminate(.append("y"), from: 12), append("z", 40...50), read(.list(["x", "y", "z"]), 60...70),
        ]),
    ]
}

@Suite struct LinearizabilityCatalogueTests {
    @Test(arguments: LinearizabilityCase.catalogue)
    func verdictMatches(_ example: LinearizabilityCase) {
        let result = LinearizabilityChecker.check(example.operations)
        #expect(result.verdict != .unknown)
        #expect(result.isLinearizable == example.linearizable, "\(result.counterexample.map(String.init(describing:)) ?? "linearizable")")
    }

    @Test(arguments: LinearizabilityCase.catalogue)
    func referenceCheckerAgrees(_ example: LinearizabilityCase) {
        #expect(BruteForceLinearizability.isLinearizable(example.operations) == example.linearizable)
    }

    @Test(arguments: LinearizabilityCase.catalogue.filter { !$0.linearizable })
    func counterexampleIsItselfNotLinearizable(_ example: LinearizabilityCase) throws {
        let counterexample = try #require(LinearizabilityChecker.check(example.operations).counterexample)
        #expect(!BruteForceLinearizability.isLinearizable(counterexample.witness), "\(counterexample)")
        #expect(counterexample.isReduced)
        #expect(Set(counterexample.completing).isSubset(of: counterexample.operations.map(\.operation)))
    }
}
