import RuneManifest

/// A decoded recording: samples in [-1, 1], one array per channel.
public struct AudioClip: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: [[Float]]

    public init(sampleRate: Int, channels: [[Float]]) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    public var frameCount: Int { channels.first?.count ?? 0 }

    /// The channels averaged into one.
    public var mono: [Float] {
        guard channels.count > 1 else { return channels.first ?? [] }
        let scale = 1 / Float(channels.count)
        return (0..<frameCount).map { frame in channels.reduce(0) { $0 + $1[frame] } * scale }
    }
}

/// Reads RIFF WAVE files: integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits,
/// plain or WAVE_FORMAT_EXTENSIBLE, any number of channels.
public enum WAVDecoder {
    public static func isWAV(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes[0..<4].elementsEqual("RIFF".utf8) && bytes[8..<12].elementsEqual("WAVE".utf8)
    }

    /// Decodes the whole recording, or with `frameLimit` only as many frames as it returns for the
    /// file's sample rate. Sample rates outside ``RuneLimits/sampleRates`` are refused.
    public static func decode(_ bytes: [UInt8], frameLimit: ((_ sampleRate: Int) -> Int)? = nil) throws(SensorError) -> AudioClip {
        guard isWAV(bytes) else { throw SensorError("not a WAV file (no RIFF/WAVE header)") }
        var reader = ByteReader(bytes, format: "WAV", offset: 12)
        var format: (code: UInt16, channels: Int, rate: Int, bits: Int, blockAlign: Int)?
        while reader.remaining >= 8 {
            let tag = try reader.tag()
            let size = Int(try reader.u32le())
            // A writer that stopped early leaves a data chunk longer than the file: read what is there.
            let available = min(size, reader.remaining)
            if tag == "data" {
                guard let format else { throw SensorError("WAV data comes before its fmt chunk") }
                let data = try reader.readBytes(available)
                return try decodeSamples(data, format: format, frameLimit: frameLimit)
            }
            var chunk = ByteReader(Array(try reader.readBytes(available)), format: "WAV")
            if size % 2 == 1, reader.remaining > 0 { try reader.skip(1) }
            switch tag {
            case "fmt ":
                var code = try chunk.u16le()
                let channels = Int(try chunk.u16le())
                let rate = Int(try chunk.u32le())
                _ = try chunk.u32le()
                let blockAlign = Int(try chunk.u16le())
                let bits = Int(try chunk.u16le())
                if code == 0xFFFE {
                    // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
                    try chunk.skip(8)
                    code = try chunk.u16le()
                }
                format = (code, channels, rate, bits, blockAlign)
            default:
                continue
            }
        }
        throw SensorError(format == nil ? "WAV file has no fmt chunk" : "WAV file has no data chunk")
    }

    private static func decodeSamples(_ data: ArraySlice<UInt8>, format: (code: UInt16, channels: Int, rate: Int, bits: Int, blockAlign: Int),
                                      frameLimit: ((Int) -> Int)?) throws(SensorError) -> AudioClip {
        let (code, channelCount, rate, bits, _) = format
        guard (1...64).contains(channelCount) else { throw SensorError("WAV file has \(channelCount) channels") }
        guard RuneLimits.sampleRates.contains(rate) else {
            throw SensorError("WAV file has a sample rate of \(rate) Hz, outside the \(RuneLimits.sampleRates.lowerBound)...\(RuneLimits.sampleRates.upperBound) Hz this host reads")
        }
        let isFloat: Bool
        switch (code, bits) {
        case (1, 8), (1, 16), (1, 24), (1, 32): isFloat = false
        case (3, 32), (3, 64): isFloat = true
        default:
            let kind = code == 1 ? "PCM" : code == 3 ? "float" : "format \(code)"
            throw SensorError("WAV \(kind) with \(bits) bits per sample is not supported (use 8, 16, 24 or 32-bit PCM, or 32/64-bit float)")
        }
        let width = bits / 8
        let frameBytes = width * channelCount
        var frames = data.count / frameBytes
        if let frameLimit { frames = min(frames, max(0, frameLimit(rate))) }
        var channels = [[Float]](repeating: [Float](repeating: 0, count: frames), count: channelCount)
        data.withUnsafeBytes { raw in
            for frame in 0..<frames {
                for channel in 0..<channelCount {
                    let at = frame * frameBytes + channel * width
                    channels[channel][frame] = sample(raw, at: at, width: width, isFloat: isFloat)
                }
            }
        }
        return AudioClip(sampleRate: rate, channels: channels)
    }

    /// One little-endian sample scaled to [-1, 1]: integers divide by 2^(bits-1), so 16-bit
    /// values survive a round trip exactly.
    private static func sample(_ raw: UnsafeRawBufferPointer, at offset: Int, width: Int, isFloat: Bool) -> Float {
        var bits: UInt64 = 0
        for byte in 0..<width { bits |= UInt64(raw[offset + byte]) << (8 * UInt64(byte)) }
        if isFloat {
            return width == 4 ? Float(bitPattern: UInt32(bits)) : Float(Double(bitPattern: bits))
        }
        if width == 1 { return (Float(bits) - 128) / 128 }   // 8-bit WAV is unsigned
        let shift = UInt64(64 - 8 * width)
        let signed = Int64(bitPattern: bits << shift) >> shift
        return Float(Double(signed) / Double(1 << (8 * width - 1)))
    }
}
