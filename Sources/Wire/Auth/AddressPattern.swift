import JBRCore

/// One entry of an `auth.allow` / `auth.reject` list, GlusterFS style.
///
/// - `*` alone: every address (and a connection with no IP address at all).
/// - An address with `*` (any run of characters) and `?` (one character) wildcards, matched
///   against the canonical text of the remote address: `10.1.*`, `192.168.?.*`, `fe80::*`.
/// - A CIDR block: `10.1.0.0/16`, `::1/128`.
/// - A plain address, compared as an address (so `::0001` is `::1`).
///
/// Host names are not accepted: the check runs before anything else on a connection and must
/// not wait for DNS.
package enum AddressPattern: Hashable, Sendable, CustomStringConvertible {
    case any
    case exact(IPAddress)
    case network(IPAddress, prefixLength: Int)
    case wildcard(String)

    /// Parses one trimmed entry. Throws `EINVAL` with the entry in the detail.
    package init(parsing entry: some StringProtocol) throws(JBRError) {
        let entry = String(entry)
        if entry == "*" {
            self = .any
        } else if let slash = entry.firstIndex(of: "/") {
            self = try AddressPattern.parseNetwork(address: entry[..<slash], prefix: entry[entry.index(after: slash)...], entry: entry)
        } else if entry.contains("*") || entry.contains("?") {
            let allowed = Set("0123456789abcdefABCDEF.:*?")
            guard entry.allSatisfy({ allowed.contains($0) }) else {
                throw JBRError(.EINVAL, "address pattern '\(entry)' has characters other than hex digits, '.', ':', '*' and '?'")
            }
            self = .wildcard(entry.lowercased())
        } else if let address = IPAddress(parsing: entry) {
            self = .exact(address)
        } else {
            throw JBRError(.EINVAL, "'\(entry)' is not an IP address, CIDR block or wildcard pattern")
        }
    }

    package func matches(_ address: IPAddress?) -> Bool {
        switch (self, address) {
        case (.any, _):
            return true
        case (_, nil):
            return false
        case (.exact(let expected), let address?):
            return address == expected
        case (.network(let network, let prefixLength), let address?):
            guard address.bitWidth == network.bitWidth else { return false }
            return (0..<prefixLength).allSatisfy { address.bit($0) == network.bit($0) }
        case (.wildcard(let pattern), let address?):
            return AddressPattern.glob(Array(pattern.utf8), matches: Array(address.description.utf8))
        }
    }

    package var description: String {
        switch self {
        case .any: return "*"
        case .exact(let address): return address.description
        case .network(let address, let prefixLength): return "\(address)/\(prefixLength)"
        case .wildcard(let pattern): return pattern
        }
    }

    private static func parseNetwork(address: Substring, prefix: Substring, entry: String) throws(JBRError) -> AddressPattern {
        guard let network = IPAddress(parsing: address) else {
            throw JBRError(.EINVAL, "'\(entry)': '\(address)' is not an IP address")
        }
        guard (1...3).contains(prefix.utf8.count), prefix.allSatisfy(\.isASCII), let length = Int(prefix),
            (0...network.bitWidth).contains(length)
        else {
            throw JBRError(.EINVAL, "'\(entry)': prefix length must be 0…\(network.bitWidth)")
        }
        return .network(network, prefixLength: length)
    }

    /// `*` matches any run of bytes (also empty), `?` exactly one. Greedy with one backtrack
    /// point, so the cost is at most pattern × text steps (both are short).
    static func glob(_ pattern: [UInt8], matches text: [UInt8]) -> Bool {
        let star = UInt8(ascii: "*")
        let question = UInt8(ascii: "?")
        var p = 0
        var t = 0
        var lastStar: Int? = nil
        var textAtLastStar = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == question || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == star {
                lastStar = p
                textAtLastStar = t
                p += 1
            } else if let starIndex = lastStar {
                p = starIndex + 1
                textAtLastStar += 1
                t = textAtLastStar
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
