import HistoryChecker
import Testing

/// Sanity checks that typical histories are decided quickly; timings are printed, not asserted.
@Suite struct PerformanceTests {
    @Test func twoThousandOperationsOverFiveKeysWithEightClients() {
        var generator = HistoryGenerator(seed: 42)
        var settings = HistoryGenerator.Settings()
        settings.keys = ["k0", "k1", "k2", "k3", "k4"]
        settings.clients = 8
        settings.operationsPerClient = 250
        settings.maxThinkTime = 2  // keeps all eight clients overlapping
        let (operations, finalStates) = generator.generate(settings)

        let clock = ContinuousClock()
        var report: HistoryReport?
        let elapsed = clock.measure { report = HistoryVerifier.check(History(operations), finalStates: finalStates) }
        print("performance: \(report!.operationCount) operations, \(report!.keyCount) keys, "
            + "\(report!.results.map(\.exploredStates).reduce(0, +)) states, checked in \(elapsed)")
        #expect(report!.undecidedKeys.isEmpty)
        #expect(report!.isProvenValid, "\(report!)")
        #expect(elapsed < .seconds(30))
    }

    @Test func threeThousandOperationsOnOneKey() {
        var generator = HistoryGenerator(seed: 7)
        var settings = HistoryGenerator.Settings()
        settings.keys = ["only"]
        settings.clients = 8
        settings.operationsPerClient = 375
        settings.maxThinkTime = 2
        let (operations, finalStates) = generator.generate(settings)

        let clock = ContinuousClock()
        var report: HistoryReport?
        let elapsed = clock.measure { report = HistoryVerifier.check(History(operations), finalStates: finalStates) }
        print("performance: \(report!.operationCount) operations on one key, \(report!.results[0].exploredStates) states, checked in \(elapsed)")
        #expect(report!.isProvenValid, "\(report!)")
    }
}
