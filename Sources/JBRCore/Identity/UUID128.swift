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
        guard let parsed = Self.parse(text.utf8, lowercaseOnly: false) else { return nil }
        self = parsed
    }

    /// Parses exactly the canonical form (`canonicalBytes`: lowercase, hyphens in place); nil
    /// for anything else, so that a name parsed this way is the only name of its UUID.
    public init?(canonical bytes: some Collection<UInt8>) {
        guard let parsed = Self.parse(bytes, lowercaseOnly: true) else { return nil }
        self = parsed
    }

    private static func parse(_ text: some Collection<UInt8>, lowercaseOnly: Bool) -> UUID128? {
        if let parsed = text.withContiguousStorageIfAvailable({ parse($0, lowercaseOnly: lowercaseOnly) }) { return parsed }
        return Array(text).withUnsafeBufferPointer { parse($0, lowercaseOnly: lowercaseOnly) }
    }

    /// The parser proper, on contiguous bytes (not generic: the store parses handle names often).
    private static func parse(_ text: UnsafeBufferPointer<UInt8>, lowercaseOnly: Bool) -> UUID128? {
        guard text.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        for position in 0..<36 {
            let character = text[position]
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == hyphen else { return nil }
                continue
            }
            guard let nibble = HexDigit.value(character), !lowercaseOnly || !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains(character) else {
                return nil
            }
            if nibbles < 16 {
                high = high << 4 | UInt64(nibble)
            } else {
                low = low << 4 | UInt64(nibble)
            }
            nibbles += 1
        }
        return UUID128(high: high, low: low)
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

    /// The canonical form's 36 ASCII bytes, lowercase. Built without strings: the store makes
    /// a handle name of it in nearly every operation.
    public var canonicalBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 36) { buffer, count in
            var position = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[position] = Self.hyphen
                    position += 1
                }
                let byte = UInt8(truncatingIfNeeded: index < 8 ? high >> UInt64(56 - index * 8) : low >> UInt64(120 - index * 8))
                buffer[position] = HexDigit.lowercase(byte >> 4)
                buffer[position + 1] = HexDigit.lowercase(byte & 0xF)
                position += 2
            }
            count = 36
        }
    }

    public var uuidString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    private static let hyphen = UInt8(ascii: "-")

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
