import Foundation
import RuneManifest
import Testing
@testable import RuneSensors
import RuneTestSupport

/// A SOUND reading decodes and resamples only the frames it uses, with the same bytes as from
/// the whole recording; sample rates outside the limits are refused.
@Suite struct WindowedSoundTests {
    func wav(rate: Int, channels: Int, frames: Int, seed: UInt64) -> [UInt8] {
        var random = SeededGenerator(seed: seed)
        var data: [UInt8] = []
        data.reserveCapacity(frames * channels * 2)
        for _ in 0..<(frames * channels) {
            let value = Int16(truncatingIfNeeded: random.next())
            data += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16) }
        let fmt = u16(1) + u16(channels) + u32(rate) + u32(rate * channels * 2) + u16(channels * 2) + u16(16)
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + u32(fmt.count) + fmt + Array("data".utf8) + u32(data.count) + data
        return Array("RIFF".utf8) + u32(body.count) + body
    }

    /// What the reading was before windowing: the whole clip decoded and resampled.
    func wholeClipReading(_ bytes: [UInt8], hz: Int, count: Int, sampleSize: Int?) throws -> (bytes: [UInt8], warning: String?) {
        SensorReadings.sound(try WAVDecoder.decode(bytes), hz: hz, count: count, sampleSize: sampleSize, as: .i16)
    }

    @Test(arguments: [(8000, 16000), (16000, 16000), (44100, 16000), (48000, 16000), (22050, 8000), (11025, 44100)])
    func windowedReadingIsByteIdentical(_ rates: (Int, Int)) throws {
        let (rate, hz) = rates
        for (frames, count, sampleSize) in [(rate * 3, hz / 2, nil), (rate / 3, hz / 2, nil), (rate * 2, 100, hz), (rate, hz, nil)] as [(Int, Int, Int?)] {
            let bytes = wav(rate: rate, channels: 2, frames: frames, seed: UInt64(rate + count))
            var arguments = ["hz": "\(hz)"]
            if let sampleSize { arguments["sample_size"] = "\(sampleSize)" }
            let windowed = try CapabilityInput.prepare(kind: .sound, arguments: arguments, tensor: TensorType(.i16, [count]), contents: bytes)
            let whole = try wholeClipReading(bytes, hz: hz, count: count, sampleSize: sampleSize)
            #expect(windowed.bytes == whole.bytes, "\(rate) -> \(hz) Hz, \(frames) frames, \(count) samples")
            #expect(windowed.warning == whole.warning)
        }
    }

    @Test func tenMinutesAreNotDecodedWhole() throws {
        let bytes = wav(rate: 44100, channels: 1, frames: 44100 * 600, seed: 3)
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            _ = try CapabilityInput.prepare(kind: .sound, arguments: ["hz": "16000"], tensor: TensorType(.i16, [16000]), contents: bytes)
        }
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test func sampleRatesOutsideTheLimitsAreRefused() {
        for rate in [1, 999, 384_001, Int(UInt32.max)] {
            #expect(throws: SensorError.self, "\(rate) Hz") { try WAVDecoder.decode(wav(rate: rate, channels: 1, frames: 10, seed: 1)) }
        }
        #expect(throws: SensorError.self) {
            try CapabilityInput.prepare(kind: .sound, arguments: ["hz": "9223372036854775807"], tensor: TensorType(.i16, [16]),
                                        contents: wav(rate: 16000, channels: 1, frames: 10, seed: 1))
        }
    }
}
