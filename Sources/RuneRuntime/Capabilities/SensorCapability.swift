import RuneManifest
import RuneFiles
import RuneSensors

/// `RAW`, `SOUND`, `IMAGE` and `ACCEL`: a file decoded once, converted to the declared tensor
/// with the capability's arguments from the manifest, and handed out on every reading.
final class SensorCapability: CapabilitySource {
    private let bytes: [UInt8]
    let warning: String?

    /// `kind` is how to read the file: the capability's own kind, or `.raw` to replay recorded
    /// bytes into a capability of any kind.
    init(capability: Manifest.Capability, file: InputFile, readAs kind: CapabilityKind, timeout: Double = 0) throws(RuneError) {
        // RAW needs exactly the tensor's bytes: one more is enough to tell the file is too long.
        // Other files are bounded too, so /dev/zero or a FIFO cannot exhaust memory or hang.
        let contents: [UInt8]
        do {
            contents = kind == .raw
                ? try BoundedFile.prefix(file.path, count: capability.tensor.byteCount + 1, timeout: timeout)
                : try BoundedFile.read(file.path, limit: RuneLimits.maxSensorFileBytes, timeout: timeout)
        } catch {
            throw .input("cannot read '\(file.path)' for capability '\(capability.name)': \(error.message)")
        }
        let arguments = Dictionary(capability.arguments.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let reading: (bytes: [UInt8], warning: String?)
        do {
            reading = try CapabilityInput.prepare(kind: kind, arguments: arguments, tensor: capability.tensor,
                                                  contents: contents)
        } catch {
            throw .input("cannot read '\(file.path)' for capability '\(capability.name)': \(error.message)")
        }
        // The converters size their output from the manifest; an error beats writing past the buffer.
        guard reading.bytes.count == capability.tensor.byteCount else {
            throw .input("capability '\(capability.name)': prepared \(reading.bytes.count) bytes for \(capability.tensor)")
        }
        bytes = reading.bytes
        warning = reading.warning.map { "capability '\(capability.name)': \($0)" }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
        buffer.copyBytes(from: bytes)
    }
}
