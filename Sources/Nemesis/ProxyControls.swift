import NIOCore
import Synchronization

/// What a `FaultProxy` shares with the relays of its connections: which directions are cut, and
/// every relay alive, so healing can release what each held.
final class ProxyControls: Sendable {
    private struct State {
        var cut: Set<ProxyDirection> = []
        var relays: [Int: NIOLoopBound<RelayHandler>] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())

    func isCut(_ direction: ProxyDirection) -> Bool {
        state.withLock { $0.cut.contains(direction) }
    }

    func setCut(_ direction: ProxyDirection, _ cut: Bool) {
        let released = state.withLock { state -> [NIOLoopBound<RelayHandler>] in
            if cut {
                state.cut.insert(direction)
                return []
            }
            state.cut.remove(direction)
            return Array(state.relays.values)
        }
        for relay in released {
            relay.eventLoop.execute { relay.value.releaseHeld() }
        }
    }

    func register(_ relay: NIOLoopBound<RelayHandler>) -> Int {
        state.withLock { state in
            state.nextToken += 1
            state.relays[state.nextToken] = relay
            return state.nextToken
        }
    }

    func unregister(_ token: Int) {
        _ = state.withLock { $0.relays.removeValue(forKey: token) }
    }

    /// Closes every connection carried, waiting until each is closed.
    func closeAll() async {
        let relays = state.withLock { Array($0.relays.values) }
        for relay in relays {
            try? await relay.eventLoop.flatSubmit { relay.value.close(on: relay.eventLoop) }.get()
        }
    }
}
