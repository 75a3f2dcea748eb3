import JBRCore

/// Which remote addresses may connect to a server: GlusterFS's `auth.allow` and `auth.reject`.
///
/// Each option is a comma-separated list of `AddressPattern`s (whitespace around entries is
/// ignored). An address is admitted when it matches an allow entry and no reject entry: reject
/// wins. The check runs when a connection opens, before any byte is read, and a refused address
/// gets `.authenticationFailed` "address not allowed".
public struct AddressFilter: Hashable, Sendable, CustomStringConvertible {
    package var allow: [AddressPattern]
    package var reject: [AddressPattern]

    /// Admits everyone (`auth.allow` `*`, no `auth.reject`), GlusterFS's default.
    public static let allowAll = AddressFilter(allowPatterns: [.any], rejectPatterns: [])

    /// Parses the two options. Throws `EINVAL` naming the bad entry, or when `allow` lists
    /// nothing (write `*` to admit everyone; an empty list locking everyone out is more often
    /// a typo than an intent).
    public init(allow: String = "*", reject: String = "") throws(JBRError) {
        let allowPatterns = try AddressFilter.parseList(allow, option: "auth.allow")
        guard !allowPatterns.isEmpty else {
            throw JBRError(.EINVAL, "auth.allow lists no address; use '*' to allow all")
        }
        self.init(allowPatterns: allowPatterns, rejectPatterns: try AddressFilter.parseList(reject, option: "auth.reject"))
    }

    package init(allowPatterns: [AddressPattern], rejectPatterns: [AddressPattern]) {
        self.allow = allowPatterns
        self.reject = rejectPatterns
    }

    /// Whether `address` may connect. `nil` (no IP address, e.g. a Unix socket) is admitted
    /// only by a bare `*` in `allow`, and only if no reject entry is a bare `*`.
    package func permits(_ address: IPAddress?) -> Bool {
        !reject.contains { $0.matches(address) } && allow.contains { $0.matches(address) }
    }

    public var description: String {
        "allow \(allow.map(\.description).joined(separator: ",")) reject \(reject.map(\.description).joined(separator: ","))"
    }

    private static func parseList(_ text: String, option: String) throws(JBRError) -> [AddressPattern] {
        var patterns: [AddressPattern] = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            do {
                patterns.append(try AddressPattern(parsing: trimmed))
            } catch {
                throw JBRError(error.code, "\(option): \(error.detail)")
            }
        }
        return patterns
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return result
    }
}
