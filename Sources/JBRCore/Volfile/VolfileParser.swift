/// Reads GlusterFS volfile text into a `VolfileGraph`.
///
/// The grammar is GlusterFS's (`libglusterfs/src/graph.y`):
///
///     volume NAME
///         type TYPE                    # exactly one, first
///         option KEY VALUE             # any number, before or after subvolumes
///         subvolumes NAME…             # at most one line, names defined earlier
///     end-volume
///
/// Tokens are separated by any whitespace, line breaks included, so a statement may span lines.
/// What GlusterFS only logs (or silently repairs) is an error here: a duplicate volume or option,
/// an undefined subvolume, a repeated `type` or `subvolumes` line, an `option` without exactly a
/// key and a value. Every error carries the line and column of the token at fault.
public enum VolfileParser {
    public static func parse(_ text: String, limits: VolfileLimits = .default) throws -> VolfileGraph {
        try parse(bytes: Array(text.utf8), limits: limits)
    }

    public static func parse(bytes: some Collection<UInt8>, limits: VolfileLimits = .default) throws -> VolfileGraph {
        guard bytes.count <= limits.maxInputBytes else {
            throw VolfileError(
                line: nil, "the volfile is \(bytes.count) bytes; the limit is \(limits.maxInputBytes) bytes")
        }
        let input = Array(bytes)
        try VolfileInputCheck.check(input, limits: limits)
        var reader = VolfileReader(lexer: VolfileLexer(bytes: input, maxWordBytes: limits.maxWordBytes), limits: limits)
        return try reader.readGraph()
    }
}

/// The parser's state: one token of look-ahead and the volumes read so far.
struct VolfileReader {
    private var lexer: VolfileLexer
    private let limits: VolfileLimits
    private var lookahead: VolfileToken?
    private var hasLookahead = false
    /// The lines of the last two tokens taken, to tell a keyword used as a value from a new statement.
    private var previousLine = 0
    private var lineBeforePrevious = 0
    private var volumes: [VolfileVolume] = []
    private var lineOfVolume: [String: Int] = [:]

    init(lexer: VolfileLexer, limits: VolfileLimits) {
        self.lexer = lexer
        self.limits = limits
    }

    mutating func readGraph() throws -> VolfileGraph {
        while let token = try take() {
            guard token.kind == .volume else { throw outsideVolume(token) }
            try readVolume(opening: token)
        }
        guard !volumes.isEmpty else {
            throw VolfileError(line: lexer.currentLine, "the volfile defines no volumes")
        }
        return try VolfileGraph(volumes: volumes)
    }

    // MARK: Tokens

    private mutating func peek() throws -> VolfileToken? {
        if !hasLookahead {
            lookahead = try lexer.next()
            hasLookahead = true
        }
        return lookahead
    }

    private mutating func take() throws -> VolfileToken? {
        let token = try peek()
        hasLookahead = false
        lookahead = nil
        if let token {
            lineBeforePrevious = previousLine
            previousLine = token.line
        }
        return token
    }

    /// The words following `keyword` up to the next keyword, between `minimum` and `maximum` of them.
    ///
    /// Too many words: if one of them begins a new line it is most likely a misspelt keyword
    /// (`new-option key value`), so that is reported; otherwise the statement has too many words.
    /// Too few, with a keyword next on the same line: that keyword was meant as a value.
    private mutating func words(
        of keyword: VolfileToken, minimum: Int, maximum: Int, tooFew: (Int) -> String, tooMany: String,
        in volume: String?
    ) throws -> [String] {
        var words: [VolfileToken] = []
        while let next = try peek(), next.word != nil {
            guard words.count < maximum else {
                let all = words + [next]
                if let stray = all.indices.dropFirst().first(where: { all[$0].line > all[$0 - 1].line }) {
                    throw unknownKeyword(all[stray], in: volume)
                }
                throw VolfileError(line: keyword.line, column: keyword.column, tooMany)
            }
            words.append(next)
            _ = try take()
        }
        if words.count < minimum {
            if let next = try peek(), next.isKeyword, next.line == previousLine {
                throw VolfileError(
                    line: next.line, column: next.column,
                    "'\(next.spelling)' is a keyword; to use it as a value, quote it: \"\(next.spelling)\"")
            }
            throw VolfileError(line: keyword.line, column: keyword.column, tooFew(words.count))
        }
        return words.compactMap(\.word)
    }

    // MARK: Volumes

    private mutating func readVolume(opening: VolfileToken) throws {
        guard volumes.count < limits.maxVolumes else {
            throw error(at: opening, "more than \(limits.maxVolumes) volumes in one volfile")
        }
        let name = try words(
            of: opening, minimum: 1, maximum: 1, tooFew: { _ in "'volume' needs a name: 'volume NAME'" },
            tooMany: "a volume name is one word; quote a name that contains spaces", in: nil)[0]
        guard !name.isEmpty else { throw error(at: opening, "a volume name must not be empty") }
        if let first = lineOfVolume[name] {
            throw error(at: opening, "volume '\(name)' defined again (first defined at line \(first))")
        }
        var body = VolumeBody(name: name, opening: opening)
        while true {
            guard let token = try take() else {
                throw error(at: opening, "volume '\(name)' is missing 'end-volume' at the end of the file")
            }
            switch token.kind {
            case .endVolume:
                volumes.append(try body.finish(at: token))
                lineOfVolume[name] = opening.line
                return
            case .volume:
                throw error(
                    at: token,
                    "'volume' inside volume '\(name)': end that volume with 'end-volume' first" + hint(token))
            case .type:
                try readType(token, into: &body)
            case .option:
                try readOption(token, into: &body)
            case .subvolumes:
                try readSubvolumes(token, into: &body)
            case .word:
                throw unknownKeyword(token, in: name)
            }
        }
    }

    private mutating func readType(_ token: VolfileToken, into body: inout VolumeBody) throws {
        if let first = body.typeLine {
            throw error(
                at: token,
                "volume '\(body.name)' has a second 'type' line (the first is at line \(first))" + hint(token))
        }
        let type = try words(
            of: token, minimum: 1, maximum: 1,
            tooFew: { _ in "'type' needs a translator type, e.g. 'type storage/posix'" },
            tooMany: "'type' takes one word", in: body.name)[0]
        guard !type.isEmpty else { throw error(at: token, "the type of volume '\(body.name)' must not be empty") }
        body.volume.type = type
        body.typeLine = token.line
    }

    private mutating func readOption(_ token: VolfileToken, into body: inout VolumeBody) throws {
        try body.requireType(before: token, hint: hint(token))
        guard body.optionLines.count < limits.maxOptionsPerVolume else {
            throw error(at: token, "volume '\(body.name)' has more than \(limits.maxOptionsPerVolume) options")
        }
        let pair = try words(
            of: token, minimum: 2, maximum: 2,
            tooFew: { found in
                found == 0
                    ? "'option' needs a key and a value: 'option KEY VALUE'"
                    : "the option has a key but no value: write 'option KEY VALUE'"
            },
            tooMany: "an option has more than two words: write 'option KEY VALUE' and quote a value with spaces",
            in: body.name)
        let key = pair[0]
        guard !key.isEmpty else { throw error(at: token, "an option key must not be empty") }
        if let first = body.optionLines[key] {
            throw error(
                at: token, "option '\(key)' is repeated in volume '\(body.name)' (first set at line \(first))")
        }
        body.optionLines[key] = token.line
        body.volume.options.set(key, to: pair[1])
    }

    private mutating func readSubvolumes(_ token: VolfileToken, into body: inout VolumeBody) throws {
        try body.requireType(before: token, hint: hint(token))
        if let first = body.subvolumesLine {
            throw error(
                at: token,
                "volume '\(body.name)' has a second 'subvolumes' line (the first is at line \(first)); "
                    + "list all subvolumes on one line" + hint(token))
        }
        let names = try words(
            of: token, minimum: 1, maximum: limits.maxSubvolumesPerVolume,
            tooFew: { _ in "'subvolumes' needs at least one volume name" },
            tooMany: "more than \(limits.maxSubvolumesPerVolume) subvolumes", in: body.name)
        var seen: Set<String> = []
        for child in names {
            guard child != body.name else {
                throw error(at: token, "volume '\(body.name)' lists itself as a subvolume")
            }
            guard lineOfVolume[child] != nil else {
                throw error(
                    at: token, "subvolume '\(child)' of volume '\(body.name)' is not defined before it is used")
            }
            guard seen.insert(child).inserted else {
                throw error(at: token, "volume '\(body.name)' lists subvolume '\(child)' twice")
            }
        }
        body.volume.subvolumes = names
        body.subvolumesLine = token.line
    }

    // MARK: Errors

    private func error(at token: VolfileToken, _ message: String) -> VolfileError {
        VolfileError(line: token.line, column: token.column, message)
    }

    /// A keyword on the same line as the token before it was probably meant as a value.
    /// - Precondition: `token` is the token last taken.
    private func hint(_ token: VolfileToken) -> String {
        token.line == lineBeforePrevious ? "; to use '\(token.spelling)' as a value, quote it" : ""
    }

    private func unknownKeyword(_ token: VolfileToken, in volume: String?) -> VolfileError {
        let spelling = token.spelling
        var message = "unknown keyword '\(spelling)'"
        if let volume { message += " in volume '\(volume)'" }
        message += ": expected type, option, subvolumes or end-volume"
        if VolfileToken.isKeyword(spelling.lowercased()) { message += " (keywords are lowercase)" }
        return error(at: token, message)
    }

    private func outsideVolume(_ token: VolfileToken) -> VolfileError {
        if case .word = token.kind {
            var message = "unexpected word '\(token.spelling)' outside a volume: expected 'volume NAME'"
            if VolfileToken.isKeyword(token.spelling.lowercased()) { message += " (keywords are lowercase)" }
            return error(at: token, message)
        }
        return error(at: token, "'\(token.spelling)' outside a volume: a volume starts with 'volume NAME'")
    }
}

/// A volume being read: what has been seen so far and where.
private struct VolumeBody {
    var volume: VolfileVolume
    var typeLine: Int?
    var subvolumesLine: Int?
    var optionLines: [String: Int] = [:]

    var name: String { volume.name }

    init(name: String, opening: VolfileToken) {
        self.volume = VolfileVolume(name: name, type: "", line: opening.line)
    }

    /// `type` must be the first line of a volume, as in GlusterFS's grammar.
    func requireType(before token: VolfileToken, hint: String) throws {
        guard typeLine == nil else { return }
        throw VolfileError(
            line: token.line, column: token.column,
            "volume '\(name)' must start with a 'type' line, found '\(token.spelling)' first" + hint)
    }

    func finish(at end: VolfileToken) throws -> VolfileVolume {
        guard typeLine != nil else {
            throw VolfileError(line: end.line, column: end.column, "volume '\(name)' has no 'type' line")
        }
        guard !volume.options.isEmpty || !volume.subvolumes.isEmpty else {
            throw VolfileError(
                line: end.line, column: end.column,
                "volume '\(name)' has only a type: an option or subvolumes line is required")
        }
        return volume
    }
}
