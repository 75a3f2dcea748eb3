import JBRCore

extension JBRError {
    /// The connection ended before the operation could finish: calls waiting for a reply,
    /// sends after close, a handshake cut off. Callers reconnect, then retry with the same
    /// request id.
    package static func connectionClosed(_ detail: String) -> JBRError {
        JBRError(.connectionClosed, detail)
    }
}
