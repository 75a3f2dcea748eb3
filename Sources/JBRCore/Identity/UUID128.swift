/// A 128-bit identifier, printed and parsed in the canonical 8-4-4-4-12 lowercase hex form.
///
/// The storage behind `GFID`, `VolumeID` and `ClientID` (see `UUIDIdentifier`). It is
/// deliberately not Foundation's `UUID`:
/// the core stays free of Foundation, and the byte order on the wire is ours to fix (big-endian
/// bytes, as the printed form reads).
public struct UUID128: Hashable, Comparable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Builds from 16 bytes in printed order. Precondition: exactly 16 bytes.
    public init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == 16, "a UUID has 16 bytes, got \(bytes.count)")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (offset, byte) in bytes.enumerated() {
            if offset < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case). Returns nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let groupLengths = [8, 4, 4, 4, 12]
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == groupLengths.count,
            zip(groups, groupLengths).allSatisfy({ $0.utf8.count == $1 })
        else { return nil }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(32)
        for character in groups.joined().utf8 {
            guard let nibble = HexDigit.value(character) else { return nil }
            nibbles.append(nibble)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for pair in stride(from: 0, to: 32, by: 2) {
            bytes.append(nibbles[pair] << 4 | nibbles[pair + 1])
        }
        self.init(bytes: bytes)
    }

    /// A random version-4 UUID drawn from `generator` (seedable, so simulations reproduce ids).
    public static func random(using generator: inout some RandomNumberGenerator) -> UUID128 {
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
        return UUID128(high: high, low: low)
    }

    public var bytes: [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: high >> ($0 * 8)) }
            + (0..<8).reversed().map { UInt8(truncatingIfNeeded: low >> ($0 * 8)) }
    }

    public var uuidString: String {
        let hex = bytes.map { byte -> String in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }

    public static func < (a: UUID128, b: UUID128) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }
}

/// A typed identifier stored as a UUID: `GFID`, `VolumeID`, `ClientID`. Distinct types so that
/// one can never be passed as another; the parsing, bytes and printing they share live here.
public protocol UUIDIdentifier: Hashable, Sendable, CustomStringConvertible {
    var uuid: UUID128 { get }
    init(_ uuid: UUID128)
}

extension UUIDIdentifier {
    /// Parses the 8-4-4-4-12 hex form; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        guard let uuid = UUID128(parsing: text) else { return nil }
        self.init(uuid)
    }

    /// Precondition: exactly 16 bytes.
    public init(bytes: [UInt8]) { self.init(UUID128(bytes: bytes)) }

    /// A random version-4 id from `generator` (seedable, so simulations reproduce ids).
    public static func random(using generator: inout some RandomNumberGenerator) -> Self {
        Self(UUID128.random(using: &generator))
    }

    public var bytes: [UInt8] { uuid.bytes }
    public var description: String { uuid.uuidString }
}
