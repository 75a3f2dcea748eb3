import JBRCore
import Testing
@testable import Wire

@Suite struct IPAddressTests {
    /// (input, canonical text) — nil when the input is not an address.
    static let parsing: [(String, String?)] = [
        ("10.1.2.3", "10.1.2.3"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("256.1.1.1", nil),
        ("1.2.3", nil),
        ("1.2.3.4.5", nil),
        ("1..2.3", nil),
        ("01.2.3.4", nil),
        ("10.0.0.0", "10.0.0.0"),
        ("1.2.3.4444", nil),
        ("+1.2.3.4", nil),
        ("::1", "::1"),
        ("::", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:db8::0001", "2001:db8::1"),
        ("fe80::1:2", "fe80::1:2"),
        ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),
        ("1::", "1::"),
        ("::ffff:10.1.2.3", "10.1.2.3"),  // IPv4-mapped is IPv4
        ("::ffff:a01:203", "10.1.2.3"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:7", nil),
        ("1:2:3:4:5:6:7:8:9", nil),
        ("1::2::3", nil),
        (":1::", nil),
        ("1:::2", nil),
        ("12345::", nil),
        ("g::1", nil),
        ("fe80::1%eth0", nil),
        ("", nil),
        ("localhost", nil),
    ]

    @Test(arguments: parsing)
    func parsesAndPrintsCanonically(input: String, canonical: String?) {
        #expect(IPAddress(parsing: input)?.description == canonical)
        if let canonical {
            #expect(IPAddress(parsing: canonical)?.description == canonical, "canonical text parses back to itself")
        }
    }
}

@Suite struct AddressFilterTests {
    /// (allow, reject, address, admitted)
    static let table: [(String, String, String, Bool)] = [
        ("*", "", "10.1.2.3", true),
        ("*", "", "::1", true),
        ("10.*", "", "10.1.2.3", true),
        ("10.*", "", "110.1.2.3", false),
        ("10.*", "", "127.0.0.1", false),
        ("10.*", "", "::ffff:10.9.9.9", true),
        ("192.168.?.*", "", "192.168.7.200", true),
        ("192.168.?.*", "", "192.168.17.200", false),
        ("10.1.0.0/16", "", "10.1.255.255", true),
        ("10.1.0.0/16", "", "10.2.0.0", false),
        ("10.1.2.3/32", "", "10.1.2.3", true),
        ("10.1.2.3/32", "", "10.1.2.4", false),
        ("0.0.0.0/0", "", "203.0.113.9", true),
        ("0.0.0.0/0", "", "::1", false),
        ("::1/128", "", "::1", true),
        ("::1/128", "", "::2", false),
        ("2001:db8::/32", "", "2001:db8:ffff::1", true),
        ("2001:db8::/32", "", "2001:db9::1", false),
        ("fe80::*", "", "fe80::abcd", true),
        ("fe80::*", "", "fe81::1", false),
        ("::0001", "", "::1", true),
        ("10.0.0.1, 10.0.0.2", "", "10.0.0.2", true),
        (" 10.0.0.1 ,10.0.0.2 ", "", "10.0.0.1", true),
        ("10.0.0.1,10.0.0.2", "", "10.0.0.3", false),
        ("*", "10.0.0.66", "10.0.0.66", false),  // reject wins
        ("*", "10.0.0.66", "10.0.0.67", true),
        ("10.*", "10.0.*", "10.0.0.1", false),
        ("10.*", "10.0.*", "10.1.0.1", true),
        ("10.0.0.0/8", "10.0.0.0/24", "10.0.0.99", false),
        ("127.0.0.1", "*", "127.0.0.1", false),
    ]

    @Test(arguments: table)
    func admits(allow: String, reject: String, address: String, admitted: Bool) throws {
        let filter = try AddressFilter(allow: allow, reject: reject)
        let ip = try #require(IPAddress(parsing: address))
        #expect(filter.permits(ip) == admitted)
    }

    @Test func noAddressIsAdmittedOnlyByABareStar() throws {
        #expect(AddressFilter.allowAll.permits(nil))
        #expect(try !AddressFilter(allow: "10.*").permits(nil))
        #expect(try !AddressFilter(allow: "*", reject: "*").permits(nil))
        #expect(try AddressFilter(allow: "*", reject: "10.*").permits(nil))
    }

    static let invalid: [(String, String)] = [
        ("", ""),
        (" , ", ""),
        ("host.example.com", ""),
        ("10.0.0.0/33", ""),
        ("::/129", ""),
        ("10.0.0.0/", ""),
        ("10.0.0.0/-1", ""),
        ("10.0.0.x/8", ""),
        ("10.0.0.*/8", ""),
        ("10.*.example", ""),
        ("*", "10.0.0.256"),
        ("1.2.3", ""),
    ]

    @Test(arguments: invalid)
    func refusesBadPatterns(allow: String, reject: String) {
        #expect(throws: JBRError.self) { try AddressFilter(allow: allow, reject: reject) }
        do {
            _ = try AddressFilter(allow: allow, reject: reject)
        } catch {
            #expect(error.code == .EINVAL)
            #expect(error.detail.hasPrefix("auth."))
        }
    }

    /// (pattern, text, matches)
    static let globs: [(String, String, Bool)] = [
        ("*", "", true),
        ("*", "abc", true),
        ("?", "", false),
        ("a?c", "abc", true),
        ("a*c", "ac", true),
        ("a*c", "abbbc", true),
        ("a*c", "abbbd", false),
        ("*b*", "abc", true),
        ("**", "x", true),
        ("a*b*c", "aXbYbZc", true),
        ("a*b*c", "aXbYcZ", false),
        ("10.*.1", "10.2.3.1", true),
        ("10.*.1", "10.2.3.11", false),
    ]

    @Test(arguments: globs)
    func globMatches(pattern: String, text: String, matches: Bool) {
        #expect(AddressPattern.glob(Array(pattern.utf8), matches: Array(text.utf8)) == matches)
    }
}
