import JBRCore
import Synchronization

/// What the clients have lately seen each file-name register hold, so most compare-and-sets
/// expect the current value (and swap) while some expect an older one (and must not).
final class KnownValues: Sendable {
    private let seen = Mutex<[String: [String]]>([:])

    func saw(_ value: String, in key: String) {
        seen.withLock { seen in
            var values = seen[key, default: []]
            values.removeAll { $0 == value }
            values.append(value)
            seen[key] = Array(values.suffix(8))
        }
    }

    /// The latest value seen, five times in six; otherwise an older one (or the initial name).
    func guess(for key: String, using random: inout SplitMix64) -> String {
        let values = seen.withLock { $0[key, default: []] }
        guard let latest = values.last else { return RegisterKey.initialName }
        if Int.random(in: 0..<6, using: &random) > 0 { return latest }
        return (values + [RegisterKey.initialName]).randomElement(using: &random) ?? latest
    }
}

/// Tells the clients to finish the operation in hand and stop.
final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func stop() { stopped.store(true, ordering: .releasing) }
}
