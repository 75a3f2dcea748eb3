import NIOCore

/// An IPv4 or IPv6 address as the address filter sees it.
///
/// IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`, what a dual-stack listener reports for an IPv4
/// client) are stored as their IPv4 address, so one `10.*` rule covers both listeners.
/// `description` is the canonical text (dotted quad; RFC 5952 for IPv6: lowercase, no leading
/// zeros, the longest run of zero groups as `::`) and is what wildcard patterns match against.
package enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    package init?(parsing text: some StringProtocol) {
        let text = String(text)
        if text.contains(":") {
            guard let groups = IPAddress.parseIPv6Groups(text) else { return nil }
            self.init(ipv6Groups: groups)
        } else {
            guard let value = IPAddress.parseIPv4(text) else { return nil }
            self = .v4(value)
        }
    }

    /// The address of an IP socket address; nil for Unix domain sockets.
    package init?(_ socketAddress: SocketAddress) {
        guard let text = socketAddress.ipAddress else { return nil }
        self.init(parsing: text)
    }

    /// The address width in bits: 32 or 128.
    package var bitWidth: Int {
        switch self {
        case .v4: return 32
        case .v6: return 128
        }
    }

    /// Bit `index` counted from the most significant (the first bit on the wire).
    package func bit(_ index: Int) -> Bool {
        switch self {
        case .v4(let value):
            return value >> (31 - index) & 1 == 1
        case .v6(let high, let low):
            return index < 64 ? high >> (63 - index) & 1 == 1 : low >> (127 - index) & 1 == 1
        }
    }

    package var description: String {
        switch self {
        case .v4(let value):
            return (0..<4).map { String(value >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".")
        case .v6(let high, let low):
            let groups = (0..<8).map { UInt16(truncatingIfNeeded: ($0 < 4 ? high : low) >> (48 - 16 * ($0 % 4))) }
            return IPAddress.formatIPv6(groups)
        }
    }

    private init(ipv6Groups groups: [UInt16]) {
        precondition(groups.count == 8)
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        if high == 0, low >> 32 == 0xFFFF {
            self = .v4(UInt32(truncatingIfNeeded: low))
        } else {
            self = .v6(high: high, low: low)
        }
    }

    /// Strict dotted quad: four decimal parts of 1–3 digits without leading zeros, each at most 255.
    private static func parseIPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                part == "0" || part.first != "0",  // "010" is octal to some parsers: refuse it
                let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// Eight 16-bit groups, with at most one `::` and an optional dotted-quad tail.
    private static func parseIPv6Groups(_ text: String) -> [UInt16]? {
        let halves = splitAtDoubleColons(text)
        guard halves.count <= 2 else { return nil }
        guard let head = parseGroupList(halves[0], allowIPv4Tail: halves.count == 1) else { return nil }
        if halves.count == 1 {
            return head.count == 8 ? head : nil
        }
        guard let tail = parseGroupList(halves[1], allowIPv4Tail: true), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    private static func parseGroupList(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if allowIPv4Tail, index == parts.count - 1, part.contains("."), let value = parseIPv4(String(part)) {
                groups.append(UInt16(value >> 16))
                groups.append(UInt16(value & 0xFFFF))
                continue
            }
            guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit), let group = UInt16(part, radix: 16) else {
                return nil
            }
            groups.append(group)
        }
        return groups
    }

    private static func formatIPv6(_ groups: [UInt16]) -> String {
        // The longest run of two or more zero groups becomes "::" (the first one on a tie).
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// Splits at every "::"; more than two pieces means the text had more than one.
    private static func splitAtDoubleColons(_ text: String) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":", next < text.endIndex, text[next] == ":" {
                pieces.append(text[start..<index])
                start = text.index(after: next)
                index = start
            } else {
                index = next
            }
        }
        pieces.append(text[start...])
        return pieces
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
