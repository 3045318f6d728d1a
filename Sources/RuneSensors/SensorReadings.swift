import RuneManifest

/// Turns decoded sensor data into the bytes of the tensor a capability declared.
public enum SensorReadings {
    /// One reading of `count` samples at `hz` from a clip: mixed to mono, resampled, and zero-padded
    /// when the clip is too short (with a warning saying so). With `sampleSize` larger than `count`,
    /// each group of `sampleSize / count` consecutive samples is averaged into one.
    public static func sound(_ clip: AudioClip, hz: Int, count: Int, sampleSize: Int? = nil,
                             as elementType: ElementType) -> (bytes: [UInt8], warning: String?) {
        let group = max(1, (sampleSize ?? count) / max(count, 1))
        let needed = count * group
        var samples = Resampler.resample(clip.mono, from: clip.sampleRate, to: hz, limit: needed)
        var warning: String?
        if samples.count < needed {
            let have = Double(samples.count) / Double(hz) * 1000, want = Double(needed) / Double(hz) * 1000
            warning = "the recording holds \(Int(have.rounded())) ms of audio but a reading needs \(Int(want.rounded())) ms; padded with silence"
            samples += repeatElement(0, count: needed - samples.count)
        }
        var values = [Float](repeating: 0, count: count)
        for index in 0..<count {
            var sum: Float = 0
            for offset in 0..<group { sum += samples[index * group + offset] }
            values[index] = sum / Float(group)
        }
        switch elementType {
        case .i16:
            return (encode(values.map { Int16(max(-32768, min(32767, ($0 * 32768).rounded()))) }), warning)
        default:
            return (encode(values), warning)
        }
    }

    /// How many frames of a recording at `sourceRate` one reading of ``sound(_:hz:count:sampleSize:as:)``
    /// looks at: the samples it keeps, plus the resampling filter's reach past the last one. A
    /// decoder can stop there; the reading is the same bytes as from the whole recording.
    public static func soundFramesNeeded(sourceRate: Int, hz: Int, count: Int, sampleSize: Int? = nil) -> Int {
        let group = max(1, (sampleSize ?? count) / max(count, 1))
        let needed = count * group
        guard sourceRate != hz, sourceRate > 0, hz > 0 else { return needed }
        let reach = Resampler.lastSourceIndex(forOutput: needed - 1, from: sourceRate, to: hz)
        return reach + 2
    }

    /// An image resized to `width` x `height`, as height x width x channels. Grey is ITU-R 601
    /// luma with the rounding Pillow uses, so references computed with Pillow see the same bytes.
    /// `u8` keeps 0...255, `i8` subtracts 128, `f32` scales to [0, 1].
    public static func image(_ image: RasterImage, width: Int, height: Int, format: PixelFormat,
                             as elementType: ElementType) -> [UInt8] {
        let resized = ImageResampler.resize(image, width: width, height: height)
        var channels: [UInt8] = []
        channels.reserveCapacity(width * height * format.channels)
        for pixel in 0..<(width * height) {
            let r = UInt32(resized.rgb[pixel * 3]), g = UInt32(resized.rgb[pixel * 3 + 1]), b = UInt32(resized.rgb[pixel * 3 + 2])
            switch format {
            case .rgb: channels += [UInt8(r), UInt8(g), UInt8(b)]
            case .bgr: channels += [UInt8(b), UInt8(g), UInt8(r)]
            case .grayScale: channels.append(UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16))
            }
        }
        switch elementType {
        case .i8: return channels.map { UInt8(bitPattern: Int8(Int($0) - 128)) }
        case .f32: return encode(channels.map { Float($0) / 255 })
        default: return channels
        }
    }

    /// `rows` x,y,z samples from CSV text (commas, semicolons, tabs or spaces between values; a
    /// header line is skipped). Fewer rows than needed are padded with zeros, with a warning.
    public static func accelerometer(csv text: String, rows: Int) throws(SensorError) -> (bytes: [UInt8], warning: String?) {
        var values: [Float] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { ",; \t".contains($0) })
            guard !fields.isEmpty else { continue }
            let numbers = fields.compactMap { Float($0) }
            if numbers.count != fields.count {
                if values.isEmpty, lineNumber == 1 { continue }   // a header
                throw SensorError("line \(lineNumber): '\(line)' is not three numbers")
            }
            guard numbers.count == 3 else {
                throw SensorError("line \(lineNumber): expected x,y,z but found \(numbers.count) values")
            }
            if values.count < rows * 3 { values += numbers }
        }
        var warning: String?
        if values.count < rows * 3 {
            warning = "the file holds \(values.count / 3) samples but a reading needs \(rows); padded with zeros"
            values += repeatElement(0, count: rows * 3 - values.count)
        }
        return (encode(values), warning)
    }

    /// Little-endian bytes of fixed-width numbers.
    static func encode<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
        for value in values { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        return bytes
    }

    static func encode(_ values: [Float]) -> [UInt8] { encode(values.map(\.bitPattern)) }
}
