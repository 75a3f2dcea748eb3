/// Why `volgen` refused its arguments: names the argument at fault and says what is expected.
public struct VolgenError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
