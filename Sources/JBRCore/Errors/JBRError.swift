/// The one error every operation, reply and connection failure is reported with.
///
/// A `Code` is either POSIX-style (the numbers are Linux's errno values, fixed on the wire
/// whatever the platform) or a replication code (1000 and above). Codes are an open set: a code
/// this build does not know still decodes, prints and maps to `EIO`, so servers can add codes
/// without breaking older clients (STYLE item 11).
public struct JBRError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: Code
    /// With `.notLeader`: the replica the sender believes leads, if it knows one.
    public var leaderHint: ReplicaID?
    /// With `.staleTerm` and `.notLeader`: the sender's current term.
    public var term: Term?
    /// Human-readable context (which name, which limit). Never file contents.
    public var detail: String

    /// The longest `detail` kept; longer text is cut, so an error can never grow a frame unbounded.
    public static let maxDetailBytes = 1024

    public init(_ code: Code, _ detail: String = "", leaderHint: ReplicaID? = nil, term: Term? = nil) {
        self.code = code
        self.detail = JBRError.bounded(detail)
        self.leaderHint = leaderHint
        self.term = term
    }

    public var description: String {
        var text = code.description
        if !detail.isEmpty { text += ": \(detail)" }
        if let leaderHint { text += " (leader hint \(leaderHint))" }
        if let term { text += " (term \(term.rawValue))" }
        return text
    }

    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maxDetailBytes else { return text }
        var cut = text.utf8.prefix(maxDetailBytes)
        // Step back to a character boundary so the result is valid UTF-8.
        while !cut.isEmpty, String(validating: cut, as: UTF8.self) == nil { cut = cut.dropLast() }
        return String(decoding: cut, as: UTF8.self)
    }
}

extension JBRError {
    public static func notLeader(hint: ReplicaID?, term: Term?) -> JBRError {
        JBRError(.notLeader, "this brick is not the leader", leaderHint: hint, term: term)
    }
}
