/// Checks raw volfile bytes before lexing: size, encoding and invisible characters.
///
/// After this pass the lexer may assume valid UTF-8 with no control characters other than tab,
/// carriage return and newline, so every word it builds is a faithful `String` and the writer can
/// reproduce it. GlusterFS accepts NUL and other control bytes inside words (and truncates at NUL);
/// nothing legitimate needs them, so they are refused wherever they appear.
enum VolfileInputCheck {
    static func check(_ bytes: [UInt8], limits: VolfileLimits) throws {
        guard bytes.count <= limits.maxInputBytes else {
            throw VolfileError(
                line: nil, "the volfile is \(bytes.count) bytes; the limit is \(limits.maxInputBytes) bytes")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw VolfileError(line: 1, column: 1, "the volfile starts with a UTF-8 byte-order mark; remove it")
        }
        try checkCharacters(bytes)
        if String(validating: bytes, as: UTF8.self) == nil {
            throw VolfileError(line: firstInvalidUTF8Line(bytes), "the volfile is not valid UTF-8")
        }
    }

    private static func checkCharacters(_ bytes: [UInt8]) throws {
        var line = 1
        var lineStart = 0
        for (offset, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                lineStart = offset + 1
            case UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                continue
            case 0:
                throw VolfileError(line: line, column: offset - lineStart + 1, "a NUL byte is not allowed in a volfile")
            case 0x01...0x1F, 0x7F:
                let code = String(byte, radix: 16, uppercase: true)
                throw VolfileError(
                    line: line, column: offset - lineStart + 1,
                    "control character 0x\(code.count == 1 ? "0" : "")\(code) is not allowed in a volfile")
            default:
                continue
            }
        }
    }

    /// Newline bytes never occur inside a multi-byte UTF-8 sequence, so lines validate on their own.
    private static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1
        for lineBytes in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(validating: lineBytes, as: UTF8.self) == nil { return line }
            line += 1
        }
        return line
    }
}
