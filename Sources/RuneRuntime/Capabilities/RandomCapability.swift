import CRuneShared
import RuneManifest

/// `RAND`: deterministic pseudo-random readings from a seed. Floats are uniform in [0, 1);
/// integers cover their whole range. Each reading continues the same stream.
///
/// The numbers come from the Cortex-M runtime's C (`Runtime/cortex-m/random.c`, through
/// CRuneShared): a seed gives the same readings on a board as here.
final class RandomCapability: CapabilitySource {
    private var state: UInt64
    private let tensor: TensorType

    init(capability: Manifest.Capability, seed: UInt64) {
        // Each capability gets its own stream, so adding one does not change the others.
        let name = Array(capability.name.utf8)
        state = rune_random_stream_start(seed, name, UInt32(name.count))
        tensor = capability.tensor
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
        // The C writes a whole tensor: the buffer must hold exactly that (the host checks the
        // rune's length against the tensor before it reads).
        guard buffer.count == tensor.byteCount, let start = buffer.baseAddress else {
            throw .input("a RAND reading of \(tensor) needs \(tensor.byteCount) bytes, not \(buffer.count)")
        }
        let written = rune_random_fill(&state, tensor.elementType.rawValue, UInt32(tensor.elementCount),
                                       start.assumingMemoryBound(to: UInt8.self))
        guard written == UInt32(buffer.count) else {
            throw .capabilityUnavailable("RAND cannot produce \(tensor.elementType.name) readings")
        }
    }
}

/// SplitMix64, the RAND stream's generator: for the host's own seeded choices (and tests).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 { rune_random_next(&state) }
}
