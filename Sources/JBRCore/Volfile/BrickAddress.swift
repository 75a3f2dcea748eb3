/// Where a brick lives, as written on the volgen command line: `HOST[:PORT]:/ABS/PATH`.
///
/// HOST is a host name or IPv4 address, or an IPv6 address in brackets (`[::1]:/d/b1`). The path
/// is absolute; `..` and `.` components are refused (a brick must name its directory plainly, as
/// its path is also its identity in volfiles), repeated and trailing slashes are dropped.
public struct BrickAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    /// Nil when not given: volgen assigns one (`Volgen.firstBrickPort` onwards, per host).
    public var port: Int?
    public var path: String

    public static let maxHostBytes = 253
    public static let maxPathBytes = 4096

    public init(host: String, port: Int?, path: String) throws {
        self.host = try Self.checkedHost(host, argument: host)
        if let port {
            guard (1...65535).contains(port) else { throw VolgenError("port \(port) is outside 1...65535") }
        }
        self.port = port
        self.path = try Self.normalizedPath(path, argument: path)
    }

    public init(parsing text: String) throws {
        guard let pathStart = text.firstRange(of: ":/") else {
            throw VolgenError(
                text.contains(":")
                    ? "brick '\(text)': the path must be absolute (HOST[:PORT]:/PATH)"
                    : "brick '\(text)' is not HOST[:PORT]:/PATH")
        }
        let hostAndPort = text[..<pathStart.lowerBound]
        let path = String(text[text.index(after: pathStart.lowerBound)...])
        let (host, portText) = try Self.splitHostAndPort(hostAndPort, argument: text)
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), portText.count <= 5,
                let number = Int(portText), (1...65535).contains(number)
            else { throw VolgenError("brick '\(text)': port '\(portText)' is not a number in 1...65535") }
            port = number
        }
        self.host = try Self.checkedHost(host, argument: text)
        self.port = port
        self.path = try Self.normalizedPath(path, argument: text)
    }

    /// `HOST[:PORT]:/PATH`, with IPv6 hosts in brackets; reads back with `init(parsing:)`.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(hostText):\($0):\(path)" } ?? "\(hostText):\(path)"
    }

    private static func splitHostAndPort(_ text: Substring, argument: String) throws -> (String, String?) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw VolgenError("brick '\(argument)': '[' without a closing ']'")
            }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.hasPrefix(":") else { throw VolgenError("brick '\(argument)': expected ':' after ']'") }
            return (host, String(rest.dropFirst()))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (String(parts[0]), nil)
        case 2: return (String(parts[0]), String(parts[1]))
        default:
            throw VolgenError("brick '\(argument)': too many ':' (write an IPv6 address in brackets, e.g. [::1])")
        }
    }

    private static func checkedHost(_ host: String, argument: String) throws -> String {
        guard !host.isEmpty else { throw VolgenError("brick '\(argument)': the host is empty") }
        guard host.utf8.count <= maxHostBytes else {
            throw VolgenError("brick '\(argument)': the host is longer than \(maxHostBytes) bytes")
        }
        let isIPv6 = host.contains(":")
        let allowed: (UInt8) -> Bool =
            isIPv6
            ? { $0.isHexDigit || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
            : { $0.isLetterOrDigit || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        guard host.utf8.allSatisfy(allowed) else {
            throw VolgenError(
                "brick '\(argument)': host '\(host)' may only hold letters, digits, '.', '-' and '_' "
                    + "(or be an IPv6 address in brackets)")
        }
        guard !host.hasPrefix("-") else { throw VolgenError("brick '\(argument)': host '\(host)' starts with '-'") }
        return host
    }

    private static func normalizedPath(_ path: String, argument: String) throws -> String {
        guard path.hasPrefix("/") else {
            throw VolgenError("brick '\(argument)': the path '\(path)' is not absolute")
        }
        guard path.utf8.count <= maxPathBytes else {
            throw VolgenError("brick '\(argument)': the path is longer than \(maxPathBytes) bytes")
        }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw VolgenError("brick '\(argument)': the path contains a control character")
        }
        let components = path.split(separator: "/")
        for component in components where component == ".." || component == "." {
            throw VolgenError("brick '\(argument)': the path may not contain '\(component)' components")
        }
        guard !components.isEmpty else {
            throw VolgenError("brick '\(argument)': a brick cannot be the root directory")
        }
        return "/" + components.joined(separator: "/")
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }

    fileprivate var isLetterOrDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
    }
}
