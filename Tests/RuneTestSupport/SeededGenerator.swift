/// SplitMix64: a small seeded generator for the fuzz tests, so a failing input can be replayed
/// from its seed.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0), the same on every platform and Swift version.
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A seed derived from `seed` and `parts` (names, indices): a stream of its own for each.
    public static func derive(_ seed: UInt64, _ parts: [String]) -> UInt64 {
        var generator = SeededGenerator(seed: seed)
        for part in parts {
            // FNV-1a over UTF-8, stable across runs (unlike `hashValue`).
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            generator.state ^= hash
            _ = generator.next()
        }
        return generator.next()
    }
}
