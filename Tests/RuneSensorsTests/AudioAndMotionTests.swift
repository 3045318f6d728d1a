import Foundation
import Testing
@testable import RuneSensors
import RuneTestSupport

/// WAV decoding, resampling and the SOUND and ACCEL readings.
@Suite struct AudioAndMotionTests {
    /// A WAV file around raw sample bytes.
    func wav(format: UInt16, channels: Int, rate: Int, bits: Int, data: [UInt8], extensible: Bool = false) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16) }
        var fmt = u16(extensible ? 0xFFFE : Int(format)) + u16(channels) + u32(rate)
        fmt += u32(rate * channels * bits / 8) + u16(channels * bits / 8) + u16(bits)
        if extensible { fmt += u16(22) + u16(bits) + u32(0) + u16(Int(format)) + [UInt8](repeating: 0, count: 14) }
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + u32(fmt.count) + fmt
            + Array("LIST".utf8) + u32(4) + Array("INFO".utf8)
            + Array("data".utf8) + u32(data.count) + data
        return Array("RIFF".utf8) + u32(body.count) + body
    }

    @Test func decodesEveryPCMWidthToTheSameValues() throws {
        // -0.5, 0.25 in each encoding.
        let cases: [(bits: Int, format: UInt16, data: [UInt8])] = [
            (8, 1, [64, 160]),
            (16, 1, [0x00, 0xC0, 0x00, 0x20]),
            (24, 1, [0, 0x00, 0xC0, 0, 0x00, 0x20]),
            (32, 1, [0, 0, 0x00, 0xC0, 0, 0, 0x00, 0x20]),
            (32, 3, Array(withUnsafeBytes(of: Float(-0.5).bitPattern.littleEndian, Array.init) + withUnsafeBytes(of: Float(0.25).bitPattern.littleEndian, Array.init))),
        ]
        for (bits, format, data) in cases {
            for extensible in [false, true] {
                let clip = try WAVDecoder.decode(wav(format: format, channels: 1, rate: 8000, bits: bits, data: data, extensible: extensible))
                #expect(clip.sampleRate == 8000)
                #expect(clip.mono == [-0.5, 0.25], "\(bits)-bit format \(format)")
            }
        }
    }

    @Test func mixesStereoAndKeeps16BitSamplesExact() throws {
        let samples: [Int16] = [1000, -1000, 32767, 32767, -32768, -32768, 7, 9]
        let data = samples.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        let clip = try WAVDecoder.decode(wav(format: 1, channels: 2, rate: 16000, bits: 16, data: data))
        let reading = SensorReadings.sound(clip, hz: 16000, count: 4, as: .i16)
        let values = stride(from: 0, to: 8, by: 2).map { (at: Int) -> Int16 in
            Int16(bitPattern: UInt16(reading.bytes[at]) | UInt16(reading.bytes[at + 1]) << 8)
        }
        #expect(values == [0, 32767, -32768, 8])
        #expect(reading.warning == nil)
    }

    @Test func shortClipsArePaddedWithAWarning() throws {
        let clip = AudioClip(sampleRate: 16000, channels: [[Float](repeating: 0.5, count: 8000)])
        let reading = SensorReadings.sound(clip, hz: 16000, count: 16000, as: .f32)
        #expect(reading.bytes.count == 64000)
        #expect(reading.warning?.contains("500 ms") == true)
        #expect(reading.bytes[63996..<64000].allSatisfy { $0 == 0 })
    }

    @Test func resamplingKeepsATone() {
        let tone = (0..<48000).map { Float(sin(2 * Double.pi * 1000 * Double($0) / 48000)) }
        let resampled = Resampler.resample(tone, from: 48000, to: 16000)
        #expect(resampled.count == 16000)
        var worst = 0.0
        for index in 100..<15900 {
            let exact = sin(2 * Double.pi * 1000 * Double(index) / 16000)
            worst = max(worst, abs(Double(resampled[index]) - exact))
        }
        #expect(worst < 0.01)
    }

    @Test func malformedWAVsAreRejected() {
        #expect(throws: SensorError.self) { try WAVDecoder.decode(Array("RIFF....WAVE".utf8)) }
        #expect(throws: SensorError.self) { try WAVDecoder.decode(wav(format: 2, channels: 1, rate: 8000, bits: 4, data: [1, 2])) }
        #expect(throws: SensorError.self) { try WAVDecoder.decode([1, 2, 3]) }
        var random = SeededGenerator(seed: 7)
        let good = wav(format: 1, channels: 2, rate: 16000, bits: 16, data: [UInt8](repeating: 3, count: 64))
        for round in 0..<3000 {
            var bytes = good
            if round % 2 == 0 { bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count)))) }
            else { bytes[Int(random.next() % 48)] = UInt8(truncatingIfNeeded: random.next()) }
            _ = try? WAVDecoder.decode(bytes)
        }
    }

    @Test func readsAccelerometerCSV() throws {
        let text = "x,y,z\n1,2,3\n4.5;5;6\n\n7 8 9\n"
        let reading = try SensorReadings.accelerometer(csv: text, rows: 4)
        let floats = stride(from: 0, to: reading.bytes.count, by: 4).map { (at: Int) -> Float in
            var bits: UInt32 = 0
            for byte in 0..<4 { bits |= UInt32(reading.bytes[at + byte]) << (8 * UInt32(byte)) }
            return Float(bitPattern: bits)
        }
        #expect(floats == [1, 2, 3, 4.5, 5, 6, 7, 8, 9, 0, 0, 0])
        #expect(reading.warning?.contains("3 samples") == true)
        // The refusal names the line it stopped at.
        let short = #expect(throws: SensorError.self) { try SensorReadings.accelerometer(csv: "1,2,3\n1,2,3\n1,2\n", rows: 3) }
        #expect(short?.message.hasPrefix("line 3:") == true)
        let letters = #expect(throws: SensorError.self) { try SensorReadings.accelerometer(csv: "1,2,3\na,b,c\n", rows: 3) }
        #expect(letters?.message.hasPrefix("line 2:") == true)
    }
}
