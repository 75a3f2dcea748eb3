import JBRCore
import Testing

/// The parser on hostile input: mutated valid volfiles and token soup. It must return or throw a
/// `VolfileError`, never trap or throw anything else, and whatever it accepts must survive the
/// writer: parse(write(g)) == g and write is a fixed point. The configuration views get the
/// accepted graphs too.
@Suite struct VolfileHostileInputTests {
    static let fragments: [[UInt8]] = [
        "volume", "type", "option", "subvolumes", "subvolumeS", "end-volume", "volume-id", "\"", "\\", "`", "#",
        "\0", "\n", "\r\n", "\r", " ", "\t", "\"a b\"", "\"\\\"\"", "x/y", "posix", "\u{FEFF}", "日本",
    ].map { Array($0.utf8) } + [[0xC3], [0xFF], [0x80], [0x01], [0x7F], [0xE6, 0x97]]

    static func seedTexts() throws -> [[UInt8]] {
        var texts = VolfileParserAcceptTests.cases.map { Array($0.text.utf8) }
        var generator = SplitMix64(seed: 99)
        let request = try VolgenRequest(
            volumeName: "v", replicaCount: 2,
            bricks: [
                try BrickAddress(parsing: "h1:/b1"), try BrickAddress(parsing: "h2:/b2"),
            ])
        let output = Volgen.generate(request, using: &generator)
        texts += try output.files.map { Array(try VolfileWriter.text(of: $0.graph).utf8) }
        for seed in UInt64(1000)..<1010 {
            var random = VolfileRandomGraphs(seed: seed)
            texts.append(Array(try VolfileWriter.text(of: random.graph()).utf8))
        }
        return texts
    }

    @Test func mutatedVolfilesNeverTrap() throws {
        let seeds = try Self.seedTexts()
        var generator = SplitMix64(seed: 0x5EED)
        var accepted = 0
        var rejected = 0
        for iteration in 0..<20_000 {
            var bytes = iteration % 10 == 9
                ? Self.tokenSoup(using: &generator)
                : seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                Self.mutate(&bytes, using: &generator)
            }
            if Self.check(bytes, iteration: iteration) { accepted += 1 } else { rejected += 1 }
        }
        // Both outcomes must be common, or the loop is not exercising what it claims to.
        #expect(accepted > 1000)
        #expect(rejected > 10_000)
    }

    /// True when accepted (and round-tripped), false when refused with a `VolfileError`.
    static func check(_ bytes: [UInt8], iteration: Int) -> Bool {
        let graph: VolfileGraph
        do {
            graph = try VolfileParser.parse(bytes: bytes)
        } catch is VolfileError {
            return false
        } catch {
            Issue.record("iteration \(iteration): unexpected error \(error)")
            return false
        }
        do {
            let text = try VolfileWriter.text(of: graph)
            let reread = try VolfileParser.parse(text)
            #expect(reread == graph, "iteration \(iteration)")
            #expect(try VolfileWriter.text(of: reread) == text, "iteration \(iteration)")
        } catch {
            Issue.record("iteration \(iteration): accepted input did not round-trip: \(error)")
        }
        // The configuration views see the same hostile graphs: a typed error or a value, no trap.
        let views: [() throws -> Void] = [
            { _ = try BrickVolfileConfiguration(graph: graph) }, { _ = try ClientVolfileConfiguration(graph: graph) },
        ]
        for view in views {
            do {
                try view()
            } catch is VolfileConfigurationError {
            } catch {
                Issue.record("iteration \(iteration): unexpected configuration error \(error)")
            }
        }
        return true
    }

    static func mutate(_ bytes: inout [UInt8], using generator: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0 where !bytes.isEmpty:
            bytes[position] = UInt8.random(in: 0...255, using: &generator)
        case 1 where !bytes.isEmpty:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
        case 2, 3:
            let fragment = fragments[Int.random(in: 0..<fragments.count, using: &generator)]
            bytes.insert(contentsOf: fragment, at: position)
        case 4 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
            bytes.removeSubrange(position..<end)
        case 5:
            bytes.removeLast(bytes.count - position)
        default:
            bytes.append(contentsOf: fragments[Int.random(in: 0..<fragments.count, using: &generator)])
        }
    }

    /// Random runs of fragments and short words: text with the lexer's shape but no structure.
    static func tokenSoup(using generator: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...60, using: &generator) {
            if Bool.random(using: &generator) {
                bytes += fragments[Int.random(in: 0..<fragments.count, using: &generator)]
            } else {
                bytes += Array(["a", "b", "k", "v", "/d", "x/y", "*"][Int.random(in: 0..<7, using: &generator)].utf8)
            }
            bytes.append(UInt8(ascii: " "))
        }
        return bytes
    }
}
