import Foundation
import HistoryChecker
import Nemesis
import Testing
import TestSupport

/// The short nemesis run CI makes on every submission (`make nemesis` makes a long one): real
/// bricks under every kind of fault, the clients' history checked, the bricks' trees compared.
@Suite(.serialized)
struct NemesisProcessTests {
    @Test func aMinuteOfFaultsLeavesALinearizableHistoryAndIdenticalBricks() async throws {
        try #require(ProcessVolume.available, "jbr-server is not built at \(ProcessVolume.binaries)")
        var options = NemesisOptions(
            server: ProcessVolume.binaries + "/jbr-server", directory: NSTemporaryDirectory() + "jbr-nemesis-\(UInt32.random(in: 0...UInt32.max))")
        options.seed = 20_261_121
        options.seconds = 60
        let report = try await NemesisRun.run(options)
        print(report.text)
        let violations = report.violations
        #expect(violations.isEmpty, "\(violations)")
        #expect(report.check != nil, "the history was checked")

        // Every kind of fault was injected (disk-full only where a tmpfs can be mounted), and
        // the clients kept working through them.
        var expected = Set(NemesisFaultKind.allCases)
        if !SmallFileSystem.canMount { expected.remove(.diskFull) }
        #expect(Set(report.faults.map(\.kind)) == expected)
        let counts = report.operationCounts
        #expect(
            counts["write ok", default: 0] > 200 && counts["cas swapped", default: 0] > 200 && counts["append ok", default: 0] > 200
                && counts["read ok", default: 0] > 500, "\(counts)")

        // The checker is not vacuous on this history: one read made stale is caught.
        let forged = try #require(Self.withOneStaleRead(report.history), "no read to make stale")
        let forgedIsValid = HistoryVerifier.check(forged).isValid
        #expect(!forgedIsValid, "a stale read forged into the history went unnoticed")
    }

    /// The history with one read of a file register changed to a value overwritten before the
    /// read began: a write W1 completed before another write W2 began, W2 completed before the
    /// read began, so the read cannot see W1's value.
    static func withOneStaleRead(_ history: History) -> History? {
        var operations = history.operations
        for (index, read) in operations.enumerated() where read.kind == .read && read.key.hasPrefix("file-") {
            guard case .ok(.observed) = read.outcome else { continue }
            let writes = operations.filter { $0.key == read.key && $0.outcome == .ok(.done) && ($0.completedAt ?? .max) < read.invokedAt }
            for first in writes {
                guard case .write(let stale) = first.kind, let firstDone = first.completedAt,
                    writes.contains(where: { $0.invokedAt > firstDone })
                else { continue }
                operations[index] = HistoryOperation(
                    client: read.client, key: read.key, kind: .read, invokedAt: read.invokedAt, completedAt: read.completedAt, outcome: .ok(.observed(.value(stale))))
                return History(operations)
            }
        }
        return nil
    }
}
