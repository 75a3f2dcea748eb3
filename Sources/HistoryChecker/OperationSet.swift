/// The set of linearized operations: a bitset with a Zobrist hash kept up to date on every
/// insert and remove, so hashing a cache key does not read the whole set.
struct OperationSet: Hashable {
    private(set) var words: [UInt64]
    private(set) var zobrist: UInt64 = 0
    private let keys: [UInt64]

    init(count: Int) {
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        keys = (0..<count).map { _ in Self.splitMix(&seed) }
    }

    mutating func insert(_ member: Int) {
        precondition(words[member >> 6] & (1 << UInt64(member & 63)) == 0, "operation \(member) linearized twice")
        words[member >> 6] |= 1 << UInt64(member & 63)
        zobrist ^= keys[member]
    }

    mutating func remove(_ member: Int) {
        precondition(words[member >> 6] & (1 << UInt64(member & 63)) != 0, "operation \(member) was not linearized")
        words[member >> 6] &= ~(1 << UInt64(member & 63))
        zobrist ^= keys[member]
    }

    static func == (a: Self, b: Self) -> Bool { a.zobrist == b.zobrist && a.words == b.words }
    func hash(into hasher: inout Hasher) { hasher.combine(zobrist) }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
