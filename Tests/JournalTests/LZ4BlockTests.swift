import Testing
@testable import Journal

@Suite struct LZ4BlockTests {
    @Test func repetitiveInputCompressesAndRoundTrips() throws {
        let input = [UInt8](repeating: 0x61, count: 4096) + Array("tail".utf8)
        let block = try #require(try LZ4Block.compress(input))
        #expect(block.count < input.count / 10)
        #expect(try LZ4Block.decompress(block, originalBytes: input.count) == input)
    }

    @Test func incompressibleInputIsLeftRaw() throws {
        var generator = SystemRandomNumberGenerator()
        let input = (0..<512).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(try LZ4Block.compress(input) == nil)
        #expect(try LZ4Block.compress([]) == nil)
    }

    @Test func wrongLengthOrDamageIsRefused() throws {
        let input = [UInt8](repeating: 7, count: 1000)
        let block = try #require(try LZ4Block.compress(input))
        #expect(throws: LZ4Block.Failure.self) { try LZ4Block.decompress(block, originalBytes: 999) }
        #expect(throws: LZ4Block.Failure.self) { try LZ4Block.decompress(Array(block.prefix(block.count / 2)), originalBytes: 1000) }
        #expect(throws: LZ4Block.Failure.self) { try LZ4Block.decompress([], originalBytes: 0) }
    }
}
