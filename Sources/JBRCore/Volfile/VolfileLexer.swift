/// Splits checked volfile bytes into tokens, following GlusterFS's `graph.l`.
///
/// - Whitespace (space, tab, CR, LF) separates tokens.
/// - `#` starts a comment to the end of the line when it begins a token; inside a word it is literal.
/// - A bare word is a run of anything but whitespace, `"` and `\`; spelled exactly as a keyword it
///   is that keyword.
/// - `"…"` is one word; `\x` inside it stands for `x`. A line break inside quotes is dropped from
///   the value, as GlusterFS's lexer drops it; here CR LF counts as one line break, so a file's
///   line endings never change a value.
///
/// Deliberate differences from GlusterFS: a backtick outside quotes (GlusterFS runs the text
/// between backticks through `popen` before parsing) and a backslash outside quotes (silently
/// skipped by flex's default rule) are errors.
struct VolfileLexer {
    private let bytes: [UInt8]
    private let maxWordBytes: Int
    private var offset = 0
    private var line = 1
    private var lineStart = 0

    /// - Precondition: `bytes` passed `VolfileInputCheck`.
    init(bytes: [UInt8], maxWordBytes: Int) {
        self.bytes = bytes
        self.maxWordBytes = maxWordBytes
    }

    /// The line the lexer has reached; after the last token, the last line of the file.
    var currentLine: Int { line }

    /// The next token, or nil at the end of the input.
    mutating func next() throws -> VolfileToken? {
        try skipWhitespaceAndComments()
        guard offset < bytes.count else { return nil }
        switch bytes[offset] {
        case Self.quote:
            return try quotedWord()
        case Self.backslash:
            throw error("a backslash is only allowed inside a quoted string; write the value as \"…\"")
        default:
            return try bareWord()
        }
    }

    private mutating func skipWhitespaceAndComments() throws {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                offset += 1
            case UInt8(ascii: "\n"):
                newLine(at: offset)
                offset += 1
            case UInt8(ascii: "#"):
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
                    if bytes[offset] == Self.backtick { throw commandSubstitution() }
                    offset += 1
                }
            default:
                return
            }
        }
    }

    private mutating func bareWord() throws -> VolfileToken {
        let start = offset
        let column = start - lineStart + 1
        while offset < bytes.count, !Self.endsBareWord(bytes[offset]) {
            if bytes[offset] == Self.backtick { throw commandSubstitution() }
            offset += 1
        }
        let text = bytes[start..<offset]
        guard text.count <= maxWordBytes else {
            throw VolfileError(
                line: line, column: column, "a word of \(text.count) bytes is over the limit of \(maxWordBytes) bytes")
        }
        let spelling = String(decoding: text, as: UTF8.self)
        let kind = VolfileToken.keyword(spelledAs: text) ?? .word(spelling)
        return VolfileToken(kind: kind, spelling: spelling, line: line, column: column)
    }

    private mutating func quotedWord() throws -> VolfileToken {
        let openLine = line
        let openColumn = offset - lineStart + 1
        var value: [UInt8] = []
        offset += 1
        while true {
            guard offset < bytes.count else {
                throw VolfileError(
                    line: openLine, column: openColumn, "the quoted string opened here is never closed")
            }
            let byte = bytes[offset]
            switch byte {
            case Self.quote:
                offset += 1
                let text = String(decoding: value, as: UTF8.self)
                return VolfileToken(kind: .word(text), spelling: text, line: openLine, column: openColumn)
            case Self.backslash:
                offset += 1
                guard offset < bytes.count else { continue }
                if let lineBreak = lineBreakLength(at: offset) {
                    newLine(at: offset + lineBreak - 1)
                    offset += lineBreak
                } else {
                    value.append(bytes[offset])
                    offset += 1
                }
            default:
                if let lineBreak = lineBreakLength(at: offset) {
                    newLine(at: offset + lineBreak - 1)
                    offset += lineBreak
                } else {
                    value.append(byte)
                    offset += 1
                }
            }
            guard value.count <= maxWordBytes else {
                throw VolfileError(
                    line: openLine, column: openColumn,
                    "a quoted string of more than \(maxWordBytes) bytes is over the limit")
            }
        }
    }

    /// 1 for LF, 2 for CR LF, nil when no line break starts at `index`.
    private func lineBreakLength(at index: Int) -> Int? {
        if bytes[index] == UInt8(ascii: "\n") { return 1 }
        if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
            return 2
        }
        return nil
    }

    private mutating func newLine(at newlineOffset: Int) {
        line += 1
        lineStart = newlineOffset + 1
    }

    private func error(_ message: String) -> VolfileError {
        VolfileError(line: line, column: offset - lineStart + 1, message)
    }

    private func commandSubstitution() -> VolfileError {
        error(
            "backtick command substitution is not supported (GlusterFS would run the text between backticks "
                + "as a shell command); write the value itself, or quote it if the backtick is literal")
    }

    private static func endsBareWord(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), quote, backslash:
            return true
        default:
            return false
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let backtick = UInt8(ascii: "`")
}
