import JBRCore
import Testing

/// Volfiles the parser must refuse, each with the line it must point at and a fragment of the
/// message. GlusterFS only logs several of these (undefined subvolume, repeated option); here they
/// are all errors.
@Suite struct VolfileParserRejectTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int?
        var message: String

        var testDescription: String { name }
    }

    static let posix = "volume posix\n    type storage/posix\n    option directory /d\nend-volume\n"

    static let cases: [Case] = [
        // The six of GlusterFS's grammar conformance test.
        Case(
            name: "missing end-volume", text: "volume a\n    type storage/posix\n    option directory /d\n",
            line: 1, message: "missing 'end-volume'"),
        Case(name: "type outside a volume", text: "type storage/posix\n", line: 1, message: "outside a volume"),
        Case(
            name: "a volume without type", text: "volume a\n    option directory /d\nend-volume\n", line: 2,
            message: "must start with a 'type' line"),
        Case(
            name: "an option with three words",
            text: "volume a\n    type storage/posix\n    option test and test\nend-volume\n", line: 3,
            message: "more than two words"),
        Case(
            name: "bare subvolumes", text: posix + "volume b\n    type features/locks\n    subvolumes\nend-volume\n",
            line: 7, message: "needs at least one volume name"),
        Case(
            name: "an unknown keyword line",
            text: "volume a\n    type storage/posix\n    option directory /d\n    new-option key value\nend-volume\n",
            line: 4, message: "unknown keyword 'new-option'"),
        // Soft errors in GlusterFS, hard here.
        Case(
            name: "a volume defined again", text: posix + "volume server\n  type protocol/server\n  subvolumes posix\n"
                + "end-volume\nvolume server\n  type protocol/server\n  subvolumes posix\nend-volume\n",
            line: 9, message: "volume 'server' defined again (first defined at line 5)"),
        Case(
            name: "a repeated type", text: "volume a\n    type storage/posix\n    type storage/posix\nend-volume\n",
            line: 3, message: "second 'type' line"),
        Case(
            name: "type after an option",
            text: "volume a\n    option directory /d\n    type storage/posix\nend-volume\n", line: 2,
            message: "must start with a 'type' line, found 'option'"),
        Case(
            name: "subvolumes before type", text: posix + "volume b\n    subvolumes posix\n    type x/y\nend-volume\n",
            line: 6, message: "must start with a 'type' line, found 'subvolumes'"),
        Case(
            name: "an undefined subvolume",
            text: "volume b\n    type features/locks\n    subvolumes ghost\nend-volume\n", line: 3,
            message: "subvolume 'ghost' of volume 'b' is not defined"),
        Case(
            name: "a subvolume defined only later",
            text: "volume b\n    type features/locks\n    subvolumes posix\nend-volume\n" + posix, line: 3,
            message: "is not defined before it is used"),
        Case(
            name: "a volume listing itself",
            text: posix + "volume b\n    type features/locks\n    subvolumes posix b\nend-volume\n", line: 7,
            message: "lists itself"),
        Case(
            name: "a subvolume listed twice",
            text: posix + "volume b\n    type features/locks\n    subvolumes posix posix\nend-volume\n", line: 7,
            message: "lists subvolume 'posix' twice"),
        Case(
            name: "a repeated option key",
            text: "volume a\n    type storage/posix\n    option directory /d\n    option directory /e\nend-volume\n",
            line: 4, message: "option 'directory' is repeated in volume 'a' (first set at line 3)"),
        Case(
            name: "a repeated subvolumes line",
            text: posix + "volume b\n    type features/locks\n    subvolumes posix\n    subvolumes posix\nend-volume\n",
            line: 8, message: "second 'subvolumes' line"),
        Case(
            name: "an option with no words", text: "volume a\n    type storage/posix\n    option\nend-volume\n",
            line: 3, message: "needs a key and a value"),
        Case(
            name: "an option with one word",
            text: "volume a\n    type storage/posix\n    option directory\nend-volume\n", line: 3,
            message: "a key but no value"),
        Case(
            name: "bare type", text: "volume a\n    type\n    option directory /d\nend-volume\n", line: 2,
            message: "'type' needs a translator type"),
        Case(
            name: "two words after type", text: "volume a\n    type storage/posix extra\n    option k v\nend-volume\n",
            line: 2, message: "'type' takes one word"),
        Case(name: "option outside a volume", text: "option k v\n", line: 1, message: "'option' outside a volume"),
        Case(
            name: "subvolumes outside a volume", text: posix + "subvolumes posix\n", line: 5,
            message: "'subvolumes' outside a volume"),
        Case(name: "end-volume outside a volume", text: posix + "end-volume\n", line: 5, message: "outside a volume"),
        Case(
            name: "a volume inside a volume", text: "volume a\n    type storage/posix\nvolume b\n", line: 3,
            message: "'volume' inside volume 'a'"),
        Case(
            name: "an unknown keyword line outside a volume", text: posix + "new-option key value\n", line: 5,
            message: "unexpected word 'new-option' outside a volume"),
        Case(name: "an empty file", text: "", line: 1, message: "defines no volumes"),
        Case(name: "only comments", text: "# nothing\n\n# here\n", line: 4, message: "defines no volumes"),
        Case(
            name: "a volume with only a type", text: "volume sink\n    type debug/sink\nend-volume\n", line: 3,
            message: "an option or subvolumes line is required"),
        Case(name: "a volume with nothing", text: "volume a\nend-volume\n", line: 2, message: "has no 'type' line"),
        Case(
            name: "a volume without a name", text: "volume\n    type x/y\n", line: 1, message: "'volume' needs a name"),
        Case(
            name: "a volume name of two words", text: "volume a b\n    type x/y\n    option k v\nend-volume\n", line: 1,
            message: "a volume name is one word"),
        Case(
            name: "an empty volume name", text: "volume \"\"\n    type x/y\n    option k v\nend-volume\n", line: 1,
            message: "must not be empty"),
        Case(
            name: "an empty type", text: "volume a\n    type \"\"\n    option k v\nend-volume\n", line: 2,
            message: "must not be empty"),
        Case(
            name: "an empty option key", text: "volume a\n    type x/y\n    option \"\" v\nend-volume\n", line: 3,
            message: "key must not be empty"),
        // Keywords.
        Case(
            name: "a keyword used as a value", text: "volume a\n    type x/y\n    option mode type\nend-volume\n",
            line: 3, message: "'type' is a keyword; to use it as a value, quote it: \"type\""),
        Case(
            name: "a keyword as the volume name", text: "volume volume\n    type x/y\n", line: 1,
            message: "'volume' is a keyword"),
        Case(
            name: "a capitalised keyword", text: "Volume a\n    type x/y\n    option k v\nend-volume\n", line: 1,
            message: "keywords are lowercase"),
        Case(
            name: "subvolume without the s",
            text: posix + "volume b\n    type features/locks\n    subvolume posix\nend-volume\n", line: 7,
            message: "unknown keyword 'subvolume'"),
        Case(
            name: "an option that continues with a keyword-like line",
            text: "volume a\n    type x/y\n    option k v\n    Option k2 v2\nend-volume\n", line: 4,
            message: "keywords are lowercase"),
        // Lexical errors and command substitution.
        Case(
            name: "an unterminated quoted string", text: "volume a\n    type x/y\n    option k \"v\nend-volume\n",
            line: 3, message: "never closed"),
        Case(
            name: "a backtick value", text: "volume a\n    type x/y\n    option date `date +%Y%M%d`\nend-volume\n",
            line: 3, message: "command substitution is not supported"),
        Case(
            name: "a backtick inside a word", text: "volume a\n    type x/y\n    option k a`id`\nend-volume\n",
            line: 3, message: "command substitution"),
        Case(
            name: "a backtick in a comment", text: "# `rm -rf /`\n" + posix, line: 1, message: "command substitution"),
        Case(
            name: "a backslash outside quotes", text: "volume a\n    type x/y\n    option k a\\b\nend-volume\n",
            line: 3, message: "backslash is only allowed inside a quoted string"),
        Case(
            name: "a NUL byte", text: "volume a\n    type x/y\n    option k a\u{0}b\nend-volume\n", line: 3,
            message: "NUL"),
        Case(
            name: "a control character", text: "volume a\n    type x/y\n    option k a\u{0B}b\nend-volume\n", line: 3,
            message: "control character 0x0B"),
        Case(name: "a byte-order mark", text: "\u{FEFF}" + posix, line: 1, message: "byte-order mark"),
    ]

    @Test(arguments: cases)
    func isRefusedAtTheRightLine(_ testCase: Case) {
        do {
            let graph = try VolfileParser.parse(testCase.text)
            Issue.record("accepted: \(graph)")
        } catch let error as VolfileError {
            #expect(error.line == testCase.line, "\(error)")
            #expect(error.message.contains(testCase.message), "\(error)")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func columnsPointAtTheToken() throws {
        let error = try #require(throws: VolfileError.self) {
            try VolfileParser.parse("volume a\n    type x/y\n    option mode end-volume\nend-volume\n")
        }
        #expect(error.line == 3)
        #expect(error.column == 17)
        #expect(error.description.hasPrefix("line 3, column 17: 'end-volume' is a keyword"))
    }

    @Test func invalidUTF8IsRefusedWithItsLine() {
        let bytes = Array("volume a\n    type x/y\n    option k ".utf8) + [0xC3, 0x28] + Array("\nend-volume\n".utf8)
        let error = #expect(throws: VolfileError.self) { try VolfileParser.parse(bytes: bytes) }
        #expect(error?.line == 3)
        #expect(error?.message.contains("not valid UTF-8") == true)
    }

    @Test func limitsAreEnforced() {
        var limits = VolfileLimits()
        limits.maxInputBytes = 64
        #expect(throws: VolfileError.self) {
            try VolfileParser.parse(String(repeating: " ", count: 65), limits: limits)
        }

        limits = VolfileLimits()
        limits.maxVolumes = 1
        let two = Self.posix + "volume b\n    type x/y\n    subvolumes posix\nend-volume\n"
        let tooMany = #expect(throws: VolfileError.self) { try VolfileParser.parse(two, limits: limits) }
        #expect(tooMany?.line == 5)

        limits = VolfileLimits()
        limits.maxWordBytes = 13  // "storage/posix"
        #expect(throws: VolfileError.self) { try VolfileParser.parse("volume abcdefghijklmn\n", limits: limits) }
        #expect(throws: VolfileError.self) { try VolfileParser.parse("volume \"abcdefghijklmn\"\n", limits: limits) }
        #expect(throws: Never.self) { try VolfileParser.parse(Self.posix, limits: limits) }

        limits = VolfileLimits()
        limits.maxOptionsPerVolume = 1
        #expect(throws: VolfileError.self) {
            try VolfileParser.parse("volume a\n type x/y\n option a 1\n option b 2\nend-volume\n", limits: limits)
        }

        limits = VolfileLimits()
        limits.maxSubvolumesPerVolume = 1
        #expect(throws: VolfileError.self) {
            try VolfileParser.parse(two + "volume c\n type x/y\n subvolumes posix b\nend-volume\n", limits: limits)
        }
    }

    @Test func graphsBuiltInCodeAreCheckedToo() {
        let leaf = VolfileVolume(name: "leaf", type: "storage/posix", options: ["directory": "/d"])
        #expect(throws: VolfileError.self) { try VolfileGraph(volumes: []) }
        #expect(throws: VolfileError.self) { try VolfileGraph(volumes: [leaf, leaf]) }
        #expect(throws: VolfileError.self) { try VolfileGraph(volumes: [VolfileVolume(name: "a", type: "x/y")]) }
        #expect(throws: VolfileError.self) {
            try VolfileGraph(volumes: [VolfileVolume(name: "a", type: "x/y", subvolumes: ["leaf"]), leaf])
        }
        #expect(throws: VolfileError.self) {
            try VolfileGraph(volumes: [leaf, VolfileVolume(name: "a", type: "x/y", subvolumes: ["leaf", "leaf"])])
        }
        #expect(throws: VolfileError.self) {
            try VolfileGraph(volumes: [VolfileVolume(name: "", type: "x/y", options: ["k": "v"])])
        }
        #expect(throws: VolfileError.self) {
            try VolfileGraph(volumes: [VolfileVolume(name: "a", type: "x/y", options: ["": "v"])])
        }
        #expect(throws: Never.self) {
            try VolfileGraph(volumes: [leaf, VolfileVolume(name: "a", type: "x/y", subvolumes: ["leaf"])])
        }
    }
}
