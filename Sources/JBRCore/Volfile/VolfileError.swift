/// Why a volfile could not be read, or why a graph could not be built or written.
///
/// Reading never traps: every malformed, oversized or hostile input ends here. Where the problem
/// comes from text, `line` (and usually `column`) point at it; a graph built in code has neither.
public struct VolfileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line of the offending token; nil when the graph did not come from text.
    public var line: Int?
    /// 1-based column, counted in UTF-8 bytes from the start of the line; nil when unknown.
    public var column: Int?
    /// What is wrong and, where there is one, how to fix it.
    public var message: String

    public init(line: Int?, column: Int? = nil, _ message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        switch (line, column) {
        case let (line?, column?): return "line \(line), column \(column): \(message)"
        case let (line?, nil): return "line \(line): \(message)"
        default: return message
        }
    }
}
