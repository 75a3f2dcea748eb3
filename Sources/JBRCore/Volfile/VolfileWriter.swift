/// Renders a graph as canonical volfile text: the form `VolfileParser` reads back to an equal graph.
///
/// Layout: one block per volume in definition order, a blank line between blocks, statements
/// indented by four spaces in the order `type`, options, `subvolumes`. A word is quoted when
/// written bare it would read differently: empty, containing whitespace, `"`, `\` or a backtick,
/// starting with `#`, or spelled as a keyword. Inside quotes `"` and `\` are escaped.
///
/// A line break or other control character cannot be written (GlusterFS's lexer drops line
/// breaks inside quotes, and control characters are refused on reading), so such a word makes
/// the writer throw rather than produce text that reads back differently.
public enum VolfileWriter {
    public static func text(of graph: VolfileGraph) throws -> String {
        var blocks: [String] = []
        blocks.reserveCapacity(graph.volumes.count)
        for volume in graph.volumes {
            blocks.append(try block(for: volume))
        }
        return blocks.joined(separator: "\n")
    }

    private static func block(for volume: VolfileVolume) throws -> String {
        func word(_ text: String, _ role: @autoclosure () -> String) throws -> String {
            try quotedIfNeeded(text, what: role)
        }
        var text = "volume \(try word(volume.name, "the name of volume '\(volume.name)'"))\n"
        text += "    type \(try word(volume.type, "the type of volume '\(volume.name)'"))\n"
        for option in volume.options {
            let key = try word(option.key, "an option key of volume '\(volume.name)'")
            let value = try word(option.value, "option '\(option.key)' of volume '\(volume.name)'")
            text += "    option \(key) \(value)\n"
        }
        if !volume.subvolumes.isEmpty {
            let names = try volume.subvolumes.map { try word($0, "a subvolume of volume '\(volume.name)'") }
            text += "    subvolumes \(names.joined(separator: " "))\n"
        }
        text += "end-volume\n"
        return text
    }

    /// `text` as one volfile word: bare when that reads back as `text`, else quoted and escaped.
    static func quotedIfNeeded(_ text: String, what: () -> String) throws -> String {
        for scalar in text.unicodeScalars where isUnwritable(scalar) {
            let code = String(scalar.value, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
            let name = scalar == "\n" ? "a line break" : "control character U+\(padded)"
            throw VolfileError(line: nil, "\(what()) contains \(name), which a volfile cannot represent")
        }
        guard needsQuotes(text) else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(character)
        }
        quoted += "\""
        return quoted
    }

    private static func needsQuotes(_ text: String) -> Bool {
        if text.isEmpty || text.hasPrefix("#") || VolfileToken.isKeyword(text) { return true }
        return text.utf8.contains { byte in
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\""),
                UInt8(ascii: "\\"), UInt8(ascii: "`"):
                return true
            default:
                return false
            }
        }
    }

    /// Tab and carriage return survive inside quotes; every other control character does not.
    private static func isUnwritable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0D: return false
        case 0x00...0x1F, 0x7F: return true
        default: return false
        }
    }
}
