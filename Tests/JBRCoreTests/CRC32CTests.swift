import JBRCore
import Testing

@Suite struct CRC32CTests {
    /// Check values from RFC 3720 (iSCSI) appendix B.4 and the common "123456789" check.
    static let checkValues: [([UInt8], UInt32)] = [
        (Array("123456789".utf8), 0xE306_9283),
        ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        (Array(UInt8(0)...UInt8(31)), 0x46DD_794E),
        (Array((UInt8(0)...UInt8(31)).reversed()), 0x113F_DB5C),
        ([], 0),
    ]

    @Test(arguments: checkValues)
    func knownValues(bytes: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(bytes) == expected)
    }

    @Test func matchesTheBitwiseDefinitionAtEveryLengthAndSplit() {
        var random = RandomValues(seed: 9)
        for length in 0..<80 {
            let bytes = random.bytes(count: length)
            let whole = CRC32C.checksum(bytes)
            #expect(whole == bitwise(bytes), "length \(length)")
            for split in 0...length {
                let continued = CRC32C.checksum(bytes[split...], continuing: CRC32C.checksum(bytes[..<split]))
                #expect(continued == whole, "length \(length) split at \(split)")
            }
        }
    }

    private func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = ~0
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
