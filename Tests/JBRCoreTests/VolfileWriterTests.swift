import JBRCore
import Testing

@Suite struct VolfileWriterTests {
    @Test func writesTheCanonicalLayout() throws {
        let graph = try VolfileGraph(volumes: [
            VolfileVolume(name: "posix", type: "storage/posix", options: ["directory": "/d", "note": "two words"]),
            VolfileVolume(name: "top", type: "features/locks", options: ["k": ""], subvolumes: ["posix"]),
        ])
        #expect(
            try VolfileWriter.text(of: graph) == """
                volume posix
                    type storage/posix
                    option directory /d
                    option note "two words"
                end-volume

                volume top
                    type features/locks
                    option k ""
                    subvolumes posix
                end-volume

                """)
    }

    @Test(arguments: [
        ("plain", "plain"), ("", #""""#), ("two words", #""two words""#), ("tab\there", "\"tab\there\""),
        ("cr\rhere", "\"cr\rhere\""), (#"a"b"#, #""a\"b""#), (#"a\b"#, #""a\\b""#), ("a`b", "\"a`b\""),
        ("#x", ##""#x""##), ("a#b", "a#b"), ("volume", #""volume""#), ("type", #""type""#),
        ("option", #""option""#), ("subvolumes", #""subvolumes""#), ("subvolumeS", #""subvolumeS""#),
        ("end-volume", #""end-volume""#), ("volume-id", "volume-id"), ("Volume", "Volume"), ("日本", "日本"),
        ("*", "*"), ("@@HOST@@", "@@HOST@@"),
    ])
    func quotesOnlyWhatNeedsIt(word: String, written: String) throws {
        let graph = try VolfileGraph(volumes: [VolfileVolume(name: "a", type: "x/y", options: ["k": word])])
        let text = try VolfileWriter.text(of: graph)
        #expect(text.contains("    option k \(written)\n"))
        #expect(try VolfileParser.parse(text).volumes[0].options["k"] == word)
    }

    @Test(arguments: ["line\nbreak", "nul\u{0}", "bell\u{7}", "del\u{7F}", "crlf\r\n"])
    func refusesWhatAVolfileCannotHold(_ value: String) throws {
        let graph = try VolfileGraph(volumes: [VolfileVolume(name: "a", type: "x/y", options: ["k": value])])
        let error = #expect(throws: VolfileError.self) { try VolfileWriter.text(of: graph) }
        #expect(error?.message.contains("option 'k' of volume 'a'") == true)
        #expect(error?.line == nil)
    }

    @Test func refusesALineBreakInANameOrType() throws {
        let badName = try VolfileGraph(volumes: [VolfileVolume(name: "a\nb", type: "x/y", options: ["k": "v"])])
        #expect(throws: VolfileError.self) { try VolfileWriter.text(of: badName) }
        let badType = try VolfileGraph(volumes: [VolfileVolume(name: "a", type: "x\ny", options: ["k": "v"])])
        #expect(throws: VolfileError.self) { try VolfileWriter.text(of: badType) }
    }

    /// parse(write(g)) == g, and write(parse(write(g))) == write(g), for seeded random graphs.
    @Test func randomGraphsRoundTrip() throws {
        for seed in UInt64(0)..<400 {
            var random = VolfileRandomGraphs(seed: seed)
            let graph = random.graph()
            let text = try VolfileWriter.text(of: graph)
            let reread = try VolfileParser.parse(text)
            #expect(reread == graph, "seed=\(seed)")
            #expect(try VolfileWriter.text(of: reread) == text, "seed=\(seed)")
        }
    }

    @Test func optionsKeepOrderAndReplaceInPlace() {
        var options: VolfileOptions = ["b": "1", "a": "2"]
        options.set("c", to: "3")
        options.set("b", to: "4")
        #expect(options.keys == ["b", "a", "c"])
        #expect(options["b"] == "4")
        #expect(options["missing"] == nil)
        #expect(options.count == 3)
        #expect(options != ["a": "2", "b": "4", "c": "3"])
    }

    @Test func volumeEqualityIgnoresWhereItWasRead() {
        let here = VolfileVolume(name: "a", type: "x/y", options: ["k": "v"], line: 3)
        let there = VolfileVolume(name: "a", type: "x/y", options: ["k": "v"], line: 30)
        #expect(here == there)
        #expect(here.hashValue == there.hashValue)
    }
}

/// Seeded random valid graphs whose words reach every quoting rule: empty words, whitespace,
/// quotes, backslashes, backticks, `#`, keywords, carriage returns and non-ASCII text.
struct VolfileRandomGraphs {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    static let pieces = [
        "a", "b", "z", "0", "9", "-", ".", "/", "_", "@", "*", ",", ":", "=", "#", " ", "\t", "\r", "\"", "\\", "`",
        "é", "日本", "volume", "type", "option", "subvolumes", "subvolumeS", "end-volume", "volume-id",
    ]
    static let keywords = ["volume", "type", "option", "subvolumes", "subvolumeS", "end-volume"]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }

    mutating func word(allowEmpty: Bool) -> String {
        if int(0...9) == 0 { return Self.keywords[int(0...(Self.keywords.count - 1))] }
        let count = int((allowEmpty ? 0 : 1)...5)
        var text = ""
        for _ in 0..<count { text += Self.pieces[int(0...(Self.pieces.count - 1))] }
        return text
    }

    mutating func graph() -> VolfileGraph {
        var volumes: [VolfileVolume] = []
        var names: Set<String> = []
        for _ in 0..<int(1...8) {
            var name = word(allowEmpty: false)
            while names.contains(name) { name += "x" }
            names.insert(name)
            var options = VolfileOptions()
            for _ in 0..<int(0...5) {
                let key = word(allowEmpty: false)
                if !options.contains(key) { options.set(key, to: word(allowEmpty: true)) }
            }
            let earlier = volumes.map(\.name).shuffled(using: &generator)
            var subvolumes = Array(earlier.prefix(int(0...min(3, earlier.count))))
            if options.isEmpty && subvolumes.isEmpty {
                if let first = earlier.first { subvolumes = [first] } else { options.set("k", to: "v") }
            }
            volumes.append(
                VolfileVolume(name: name, type: word(allowEmpty: false), options: options, subvolumes: subvolumes))
        }
        do {
            return try VolfileGraph(volumes: volumes)
        } catch {
            preconditionFailure("the generator made an invalid graph: \(error)")
        }
    }
}
