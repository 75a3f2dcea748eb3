@testable import JBRCore
import Testing

@Suite struct IdentityTests {
    @Test(arguments: [
        ((1, 5), (2, 1), true),   // a later term wins whatever the index
        ((2, 1), (1, 5), false),
        ((3, 4), (3, 5), true),
        ((3, 5), (3, 5), false),
        ((0, 0), (1, 0), true),
    ] as [((UInt64, UInt64), (UInt64, UInt64), Bool)])
    func positionsOrderByTermThenIndex(a: (UInt64, UInt64), b: (UInt64, UInt64), aIsLess: Bool) {
        let first = LogPosition(term: Term(a.0), index: JournalIndex(a.1))
        let second = LogPosition(term: Term(b.0), index: JournalIndex(b.1))
        #expect((first < second) == aIsLess)
    }

    @Test func gfidsPrintAsUUIDs() throws {
        #expect(GFID.root.description == "00000000-0000-0000-0000-000000000001")
        let text = "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f8091"
        let gfid = try #require(GFID(parsing: text))
        #expect(gfid.description == text)
        #expect(GFID(parsing: text.uppercased()) == gfid)
        #expect(gfid.bytes.count == 16 && gfid.bytes.first == 0x6B && gfid.bytes.last == 0x91)
        #expect(GFID(bytes: gfid.bytes) == gfid)
    }

    @Test func theCanonicalFormIsLowercaseAndTheOnlyOneItsParserTakes() throws {
        let uuid = UUID128(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(uuid.canonicalBytes == Array("01234567-89ab-cdef-fedc-ba9876543210".utf8))
        #expect(uuid.uuidString == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(UUID128(canonical: uuid.canonicalBytes) == uuid)
        #expect(UUID128(canonical: Array("01234567-89AB-cdef-fedc-ba9876543210".utf8)) == nil, "uppercase")
        #expect(UUID128(parsing: "01234567-89AB-cdef-fedc-ba9876543210") == uuid, "the general parser takes either case")
        // Slices (as handle names are cut from symlink targets) parse the same.
        let padded = Array("x/".utf8) + uuid.canonicalBytes + Array("/y".utf8)
        #expect(UUID128(canonical: padded[2..<38]) == uuid)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let random = UUID128.random(using: &generator)
            #expect(UUID128(canonical: random.canonicalBytes) == random)
            #expect(random.uuidString == String(decoding: random.canonicalBytes, as: UTF8.self))
        }
    }

    @Test(arguments: [
        "", "6b5f1a9e0c1d4e2f8a3b4c5d6e7f8091", "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f809", "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f80911",
        "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f809g", "6b5f1a9e-0c1d4-e2f-8a3b-4c5d6e7f8091", "-6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f809",
        "6b5f1a9e-0c1d-4e2f-8a3b-4c5d6e7f80é1",
    ])
    func malformedUUIDsAreRefused(text: String) {
        #expect(GFID(parsing: text) == nil)
        #expect(VolumeID(parsing: text) == nil)
        #expect(UUID128(canonical: Array(text.utf8)) == nil)
    }

    @Test func randomUUIDsAreVersion4AndSeedReproducible() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        for _ in 0..<100 {
            let id = UUID128.random(using: &first)
            #expect(id == UUID128.random(using: &second))
            let text = id.uuidString
            #expect(Array(text)[14] == "4")
            #expect("89ab".contains(Array(text)[19]))
            #expect(UUID128(parsing: text) == id)
        }
    }

    @Test func splitMixMatchesItsReferenceSequence() {
        // First outputs for seed 0 of the published SplitMix64 algorithm.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }
}
