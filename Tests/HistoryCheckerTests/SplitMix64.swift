/// A seedable generator for deterministic random tests (Steele, Lea & Flood's SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func u64(_ range: Range<UInt64>) -> UInt64 { UInt64.random(in: range, using: &self) }
    /// True with probability `percent` / 100.
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func element<T>(_ choices: [T]) -> T { choices[int(0..<choices.count)] }
}
