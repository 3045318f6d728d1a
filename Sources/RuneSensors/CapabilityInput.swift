import RuneManifest

/// Turns a recording into one reading of a capability: the same conversion for the host runtime
/// (`rune run --sound clip.wav`) and for firmware that embeds its input at build time
/// (`runec --embed-input audio=clip.wav`), so both see identical bytes.
public enum CapabilityInput {
    /// A capability's arguments, parsed and checked against ``RuneLimits``.
    public struct Settings: Sendable, Equatable {
        /// Which input of its kind the capability reads (`source`), if given.
        public var source: Int?
        /// SOUND: the sample rate, the samples in a reading, and how many recorded samples make
        /// up one reading (`samples × group`).
        public var hz = CapabilityArgument.defaultHz
        public var sampleSize: Int?
        /// IMAGE: the size and pixel format the image is converted to.
        public var width = 0
        public var height = 0
        public var pixelFormat = CapabilityArgument.defaultPixelFormat
    }

    /// Parses and checks the arguments a manifest gives capability `kind`, so that nothing a
    /// crafted manifest says can overflow, trap or ask for unbounded memory. Kinds this code does
    /// not convert (RAND, and nil: a kind the manifest names but this code does not know) only
    /// have their `source` checked.
    public static func settings(kind: CapabilityKind?, arguments: [String: String], tensor: TensorType) throws(SensorError) -> Settings {
        var settings = Settings()
        func integer(_ key: CapabilityArgument, in range: ClosedRange<Int>) throws(SensorError) -> Int? {
            guard let text = arguments[key.key] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw SensorError("its argument \(key) = '\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        settings.source = try integer(.source, in: 0...(RuneLimits.maxCapabilities - 1))
        switch kind {
        case .sound:
            settings.hz = try integer(.hz, in: RuneLimits.sampleRates) ?? CapabilityArgument.defaultHz
            settings.sampleSize = try integer(.sampleSize, in: 1...RuneLimits.maxTensorElements)
        case .image:
            guard let width = try integer(.width, in: 1...RuneLimits.maxImageSide),
                  let height = try integer(.height, in: 1...RuneLimits.maxImageSide) else {
                throw SensorError("an IMAGE capability needs its width and height arguments")
            }
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            guard !overflow, pixels <= RuneLimits.maxImagePixels else {
                throw SensorError("its image of \(width) x \(height) pixels is over the limit of \(RuneLimits.maxImagePixels) pixels")
            }
            let format = arguments[CapabilityArgument.pixelFormat.key] ?? CapabilityArgument.defaultPixelFormat.rawValue
            guard let pixelFormat = PixelFormat(rawValue: format) else {
                throw SensorError("its pixel_format '\(format)' is not one of \(PixelFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let channels = pixelFormat.channels
            guard pixels * channels == tensor.elementCount else {
                throw SensorError("it is \(tensor) but its arguments ask for \(width) x \(height) x \(channels)")
            }
            (settings.width, settings.height, settings.pixelFormat) = (width, height, pixelFormat)
        case .accel:
            guard tensor.elementCount % 3 == 0 else {
                throw SensorError("it is \(tensor), which is not rows of x, y, z")
            }
        case .raw, .rand, nil:
            break
        }
        return settings
    }

    /// The tensor bytes for capability `kind` with its manifest `arguments`, from a file's
    /// `contents`; and a warning when the recording had to be padded.
    public static func prepare(kind: CapabilityKind, arguments: [String: String], tensor: TensorType,
                               contents: [UInt8]) throws(SensorError) -> (bytes: [UInt8], warning: String?) {
        switch kind {
        case .raw:
            guard contents.count == tensor.byteCount else {
                let size = contents.count > tensor.byteCount ? "more than \(tensor.byteCount)" : "\(contents.count)"
                throw SensorError("the capability is \(tensor) (\(tensor.byteCount) bytes) but the file has \(size) bytes")
            }
            return (contents, nil)
        case .sound:
            let settings = try settings(kind: kind, arguments: arguments, tensor: tensor)
            let count = tensor.elementCount
            // Only the frames the reading uses (and the resampling filter's margin) are decoded.
            let clip = try WAVDecoder.decode(contents) { rate in
                SensorReadings.soundFramesNeeded(sourceRate: rate, hz: settings.hz, count: count, sampleSize: settings.sampleSize)
            }
            return SensorReadings.sound(clip, hz: settings.hz, count: count, sampleSize: settings.sampleSize, as: tensor.elementType)
        case .image:
            let settings = try settings(kind: kind, arguments: arguments, tensor: tensor)
            let image = try ImageDecoder.decode(contents)
            return (SensorReadings.image(image, width: settings.width, height: settings.height, format: settings.pixelFormat,
                                         as: tensor.elementType), nil)
        case .accel:
            _ = try settings(kind: kind, arguments: arguments, tensor: tensor)
            return try SensorReadings.accelerometer(csv: String(decoding: contents, as: UTF8.self), rows: tensor.elementCount / 3)
        case .rand:
            throw SensorError("capability kind \(kind) cannot be read from a file")
        }
    }
}
