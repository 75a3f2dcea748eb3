import JBRCore

/// Extended attribute values as text on a command line, in the manner of `getfattr`/`setfattr`.
///
/// Rendering gives `"text"` (with `\"` and `\\` escaped) when the value is printable UTF-8 and
/// `0x…` hex otherwise. Parsing takes `0x…` as hex, `"…"` as quoted text with those escapes,
/// and anything else verbatim. `parse(render(v)) == v` for every value.
public enum ExtendedAttributeText {
    public static func render(_ value: XattrValue) -> String {
        guard let text = String(validating: value.bytes, as: UTF8.self),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return "0x" + value.bytes.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16) }.joined()
        }
        return "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    public static func parse(_ text: String) throws(JBRError) -> XattrValue {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return try XattrValue(validating: try hex(text.dropFirst(2))) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { return try XattrValue(validating: try unquoted(text.dropFirst().dropLast())) }
        return try XattrValue(validating: text.utf8)
    }

    private static func hex(_ digits: Substring) throws(JBRError) -> [UInt8] {
        let characters = Array(digits)
        guard characters.count.isMultiple(of: 2) else { throw JBRError(.EINVAL, "hex value has an odd number of digits") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for pair in stride(from: 0, to: characters.count, by: 2) {
            guard let byte = UInt8(String(characters[pair...pair + 1]), radix: 16) else {
                throw JBRError(.EINVAL, "'\(characters[pair])\(characters[pair + 1])' is not a hex byte")
            }
            bytes.append(byte)
        }
        return bytes
    }

    private static func unquoted(_ quoted: Substring) throws(JBRError) -> [UInt8] {
        var bytes: [UInt8] = []
        var escaping = false
        for byte in quoted.utf8 {
            if escaping {
                guard byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") else { throw JBRError(.EINVAL, "only \\\\ and \\\" may be escaped in a quoted value") }
                bytes.append(byte)
                escaping = false
            } else if byte == UInt8(ascii: "\\") {
                escaping = true
            } else {
                bytes.append(byte)
            }
        }
        guard !escaping else { throw JBRError(.EINVAL, "a quoted value ends with a lone backslash") }
        return bytes
    }
}
