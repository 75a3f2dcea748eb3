import HistoryChecker
import JBRCore
import Synchronization

/// Collects every operation the nemesis's clients complete (or give up on), with times on one
/// monotonic clock that starts with the recorder.
final class HistoryRecorder: Sendable {
    private let start = ContinuousClock.now
    private let operations = Mutex<[HistoryOperation]>([])
    private let refusals = Mutex<[String]>([])

    /// Nanoseconds since the recorder started.
    func now() -> UInt64 {
        let elapsed = ContinuousClock.now - start
        return UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
    }

    func record(_ operation: HistoryOperation) {
        operations.withLock { $0.append(operation) }
    }

    /// Why an operation recorded as failed was refused: the error, for the report.
    func recordRefusal(_ operation: HistoryOperation, error: JBRError) {
        refusals.withLock { $0.append("\(operation) refused: \(error)") }
    }

    var history: History { History(operations.withLock { $0 }) }

    var refusalsRecorded: [String] { refusals.withLock { $0 } }
}
