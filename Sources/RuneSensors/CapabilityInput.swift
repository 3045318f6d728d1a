import RuneManifest

/// Turns a recording into one reading of a capability: the same conversion for the host runtime
/// (`rune run --sound clip.wav`) and for firmware that embeds its input at build time
/// (`runec --embed-input audio=clip.wav`), so both see identical bytes.
public enum CapabilityInput {
    /// The tensor bytes for capability `kind` with its manifest `arguments`, from a file's
    /// `contents`; and a warning when the recording had to be padded.
    public static func prepare(kind: String, arguments: [String: String], tensor: TensorType,
                               contents: [UInt8]) throws(SensorError) -> (bytes: [UInt8], warning: String?) {
        switch kind {
        case "RAW":
            guard contents.count == tensor.byteCount else {
                throw SensorError("the capability is \(tensor) (\(tensor.byteCount) bytes) but the file has \(contents.count) bytes")
            }
            return (contents, nil)
        case "SOUND":
            let clip = try WAVDecoder.decode(contents)
            return SensorReadings.sound(clip, hz: Int(arguments["hz"] ?? "") ?? 16000, count: tensor.elementCount,
                                        sampleSize: arguments["sample_size"].flatMap { Int($0) }, as: tensor.elementType)
        case "IMAGE":
            let image = try ImageDecoder.decode(contents)
            let format = SensorReadings.PixelFormat(rawValue: arguments["pixel_format"] ?? "RGB") ?? .rgb
            let channels = format == .grayScale ? 1 : 3
            let width = Int(arguments["width"] ?? "") ?? 0, height = Int(arguments["height"] ?? "") ?? 0
            guard width > 0, height > 0, width * height * channels == tensor.elementCount else {
                throw SensorError("the capability is \(tensor) but its arguments ask for \(width) x \(height) x \(channels)")
            }
            return (SensorReadings.image(image, width: width, height: height, format: format, as: tensor.elementType), nil)
        case "ACCEL":
            return try SensorReadings.accelerometer(csv: String(decoding: contents, as: UTF8.self), rows: tensor.elementCount / 3)
        default:
            throw SensorError("capability kind \(kind) cannot be read from a file")
        }
    }
}
