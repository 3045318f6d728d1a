import Foundation
import RuneManifest

/// `RAW`: a file's bytes reinterpreted as the declared tensor (little-endian). Every reading is
/// the whole file.
final class RawCapability: CapabilitySource {
    let bytes: [UInt8]

    init(capability: Manifest.Capability, file: InputFile) throws(RuneError) {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .input("cannot read '\(file.path)' for capability '\(capability.name)': no such file")
        }
        guard data.count == capability.tensor.byteCount else {
            throw .input("capability '\(capability.name)' is \(capability.tensor) (\(capability.tensor.byteCount) bytes) but '\(file.path)' has \(data.count) bytes")
        }
        bytes = Array(data)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
        buffer.copyBytes(from: bytes)
    }
}
