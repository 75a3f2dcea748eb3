/// How option values are spelled: booleans, byte sizes and hex bytes.
///
/// Booleans and sizes follow GlusterFS's spellings (`gf_string2boolean`, `gf_string2bytesize`),
/// reimplemented here; sizes use binary units as GlusterFS does (`1KB` = 1024 bytes).
public enum VolfileValue {
    /// `on`/`off`, `yes`/`no`, `true`/`false`, `enable`/`disable`, `1`/`0`, any case; nil otherwise.
    public static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "yes", "true", "enable", "1": return true
        case "off", "no", "false", "disable", "0": return false
        default: return nil
        }
    }

    /// A byte count: decimal digits, optionally followed by `KB`, `MB`, `GB` or `TB` (any case,
    /// powers of 1024). Nil for anything else, for a negative or fractional number, and on overflow.
    public static func size(_ text: String) -> Int? {
        let digits = text.utf8.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard !digits.isEmpty, digits.count <= 19, let number = Int(String(decoding: digits, as: UTF8.self)) else {
            return nil
        }
        let unit = String(decoding: text.utf8.dropFirst(digits.count), as: UTF8.self).uppercased()
        guard let shift = sizeUnits.first(where: { $0.suffix == unit })?.shift else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : bytes
    }

    /// `bytes` in the largest unit that divides it exactly: 67108864 → `64MB`, 1000 → `1000`.
    /// - Precondition: `bytes >= 0`.
    public static func sizeText(_ bytes: Int) -> String {
        precondition(bytes >= 0, "a size is never negative")
        for unit in sizeUnits.reversed() where unit.shift > 0 && bytes != 0 && bytes % (1 << unit.shift) == 0 {
            return "\(bytes >> unit.shift)\(unit.suffix)"
        }
        return "\(bytes)"
    }

    private static let sizeUnits: [(suffix: String, shift: Int)] = [
        ("", 0), ("KB", 10), ("MB", 20), ("GB", 30), ("TB", 40),
    ]

    /// Lowercase hex, two digits a byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of an even-length hex string (either case); nil for anything else.
    public static func bytes(hex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for pair in stride(from: 0, to: characters.count, by: 2) {
            guard let high = HexDigit.value(characters[pair]), let low = HexDigit.value(characters[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}
