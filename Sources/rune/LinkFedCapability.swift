import RuneManifest
import RuneRuntime

/// A capability of a rune run by `rune agent`: its reading is the tensor the host streamed over
/// the link for the call being made (converted there exactly as `rune run` converts files).
final class LinkFedCapability: CapabilitySource {
    /// The tensor of the current call; the runner sets it before each call, sized to the
    /// capability's tensor.
    var tensor: [UInt8]

    init(capability: Manifest.Capability) {
        tensor = [UInt8](repeating: 0, count: capability.tensor.byteCount)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
        guard tensor.count == buffer.count else {
            throw .input("the fed tensor holds \(tensor.count) bytes, the capability reads \(buffer.count)")
        }
        buffer.copyBytes(from: tensor)
    }
}
