import JBRCore
import NIOCore
import Synchronization
import Wire

/// Client requests waiting for the core: each gets a token; the core's answer finds its
/// connection and frame through it.
final class ClientRequests: Sendable {
    struct Waiting: Sendable {
        var connection: WireConnection
        var frame: Frame
        /// For reads: what to run against the store once the core says it may.
        var read: ReadOperation?
        var received = ContinuousClock.now
    }

    private let state = Mutex<(next: UInt64, waiting: [ClientToken: Waiting])>((1, [:]))

    func register(_ waiting: Waiting) -> ClientToken {
        state.withLock { state in
            let token = ClientToken(state.next)
            state.next += 1
            state.waiting[token] = waiting
            return token
        }
    }

    func take(_ token: ClientToken) -> Waiting? {
        state.withLock { $0.waiting.removeValue(forKey: token) }
    }

    /// Fails everything still waiting (the brick is stopping).
    func failAll(_ error: JBRError) -> [Waiting] {
        state.withLock { state in
            let all = Array(state.waiting.values)
            state.waiting = [:]
            return all
        }.map { waiting in
            Task { try? await waiting.connection.reply(to: waiting.frame, type: .clientReply, body: ClientRequests.encode(.failure(error))) }
            return waiting
        }
    }

    static func encode(_ result: OperationResult) -> ByteBuffer {
        var body = ByteBuffer()
        ClientReply(result: result).encode(to: &body)
        return body
    }
}
