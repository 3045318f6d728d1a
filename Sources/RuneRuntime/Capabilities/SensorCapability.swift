import Foundation
import RuneManifest
import RuneSensors

/// `SOUND`, `IMAGE` and `ACCEL`: a recording decoded once, converted to the declared tensor with
/// the capability's arguments from the manifest, and handed out on every reading.
final class SensorCapability: CapabilitySource {
    private let bytes: [UInt8]
    let warning: String?

    private init(capability: Manifest.Capability, bytes: [UInt8], warning: String?) throws(RuneError) {
        // The converters size their output from the manifest; a disagreement is a host bug, but
        // an error beats writing past the rune's buffer.
        guard bytes.count == capability.tensor.byteCount else {
            throw .input("capability '\(capability.name)': prepared \(bytes.count) bytes for \(capability.tensor) (\(capability.tensor.byteCount) bytes)")
        }
        self.bytes = bytes
        self.warning = warning.map { "capability '\(capability.name)': \($0)" }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
        buffer.copyBytes(from: bytes)
    }

    static func make(for capability: Manifest.Capability, file: InputFile) throws(RuneError) -> SensorCapability {
        let contents = try read(file, for: capability)
        func failed(_ error: SensorError) -> RuneError {
            .input("cannot read '\(file.path)' for capability '\(capability.name)': \(error.message)")
        }
        let tensor = capability.tensor
        do {
            switch capability.kind {
            case "SOUND":
                let clip = try WAVDecoder.decode(contents)
                let hz = Int(capability.argument("hz") ?? "") ?? 16000
                let reading = SensorReadings.sound(clip, hz: hz, count: tensor.elementCount,
                                                   sampleSize: capability.argument("sample_size").flatMap { Int($0) },
                                                   as: tensor.elementType)
                return try SensorCapability(capability: capability, bytes: reading.bytes, warning: reading.warning)
            case "IMAGE":
                let image = try ImageDecoder.decode(contents)
                let format = SensorReadings.PixelFormat(rawValue: capability.argument("pixel_format") ?? "RGB") ?? .rgb
                let channels = format == .grayScale ? 1 : 3
                let width = Int(capability.argument("width") ?? "") ?? 0
                let height = Int(capability.argument("height") ?? "") ?? 0
                guard width > 0, height > 0, width * height * channels == tensor.elementCount else {
                    throw RuneError.input("capability '\(capability.name)' is \(tensor) but its arguments ask for \(width) x \(height) x \(channels)")
                }
                return try SensorCapability(capability: capability,
                                            bytes: SensorReadings.image(image, width: width, height: height,
                                                                        format: format, as: tensor.elementType),
                                            warning: nil)
            case "ACCEL":
                let reading = try SensorReadings.accelerometer(csv: String(decoding: contents, as: UTF8.self),
                                                               rows: tensor.elementCount / 3)
                return try SensorCapability(capability: capability, bytes: reading.bytes, warning: reading.warning)
            default:
                throw RuneError.capabilityUnavailable("this host has no reader for capability kind \(capability.kind)")
            }
        } catch let error as SensorError {
            throw failed(error)
        } catch let error as RuneError {
            throw error
        } catch {
            throw .input("cannot read '\(file.path)' for capability '\(capability.name)': \(error)")
        }
    }

    static func read(_ file: InputFile, for capability: Manifest.Capability) throws(RuneError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .input("cannot read '\(file.path)' for capability '\(capability.name)': no such file")
        }
        return Array(data)
    }
}
