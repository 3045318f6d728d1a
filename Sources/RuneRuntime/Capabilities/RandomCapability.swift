import RuneManifest

/// `RAND`: deterministic pseudo-random readings from a seed. Floats are uniform in [0, 1);
/// integers cover their whole range. Each reading continues the same stream.
final class RandomCapability: CapabilitySource {
    private var generator: SplitMix64
    private let tensor: TensorType

    init(capability: Manifest.Capability, seed: UInt64) {
        // Each capability gets its own stream, so adding one does not change the others.
        generator = SplitMix64(seed: seed ^ (UInt64(capability.name.hashValueStable) &* 0x9E37_79B9_7F4A_7C15))
        tensor = capability.tensor
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
        let count = tensor.elementCount
        for index in 0..<count {
            let bits = generator.next()
            switch tensor.elementType {
            case .f32:
                let value = Float(bits >> 40) * 0x1p-24
                buffer.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
            case .f64:
                let value = Double(bits >> 11) * 0x1p-53
                buffer.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
            default:
                let width = tensor.elementType.byteWidth
                for byte in 0..<width {
                    buffer[index * width + byte] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(byte)))
                }
            }
        }
    }
}

/// SplitMix64: small, fast, and the same on every platform.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    /// FNV-1a over UTF-8: stable across runs, unlike `hashValue`.
    var hashValueStable: UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}
