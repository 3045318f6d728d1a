import Foundation
import RuneTestSupport
import Testing
@testable import RuneSensors

/// PNG and BMP decoding against Pillow's decoding of the same files (`scripts/make-sensor-fixtures`).
@Suite struct ImageDecoderTests {
    static let pngs = ["rgb8", "rgba8", "grey8", "grey-alpha8", "grey1", "grey16", "palette4", "palette8", "rgb8-stored", "rgb8-adam7"]
    static let bmps = ["rgb24", "rgba32", "palette8", "mono1"]

    func fixture(_ folder: String, _ name: String) throws -> (bytes: [UInt8], expected: [UInt8]) {
        let base = Fixtures.folder("sensors", folder)
        let ext = folder == "png" ? "png" : "bmp"
        return (Array(try Data(contentsOf: base.appendingPathComponent("\(name).\(ext)"))),
                Array(try Data(contentsOf: base.appendingPathComponent("\(name).rgb"))))
    }

    @Test(arguments: pngs)
    func pngMatchesPillow(_ name: String) throws {
        let (bytes, expected) = try fixture("png", name)
        let image = try ImageDecoder.decode(bytes)
        #expect(image.width == 13 && image.height == 7)
        #expect(image.rgb == expected)
    }

    @Test(arguments: bmps)
    func bmpMatchesPillow(_ name: String) throws {
        let (bytes, expected) = try fixture("bmp", name)
        let image = try ImageDecoder.decode(bytes)
        #expect(image.width == 13 && image.height == 7)
        #expect(image.rgb == expected)
    }

    @Test func unknownFormatsAreRefused() {
        #expect(throws: SensorError.self) { try ImageDecoder.decode(Array("GIF89a".utf8)) }
    }

    @Test func greyConversionMatchesPillowsLuma() throws {
        let image = RasterImage(width: 2, height: 1, rgb: [255, 0, 0, 10, 200, 30])
        // Pillow: L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16
        #expect(SensorReadings.image(image, width: 2, height: 1, format: .grayScale, as: .u8) == [76, 124])
        #expect(SensorReadings.image(image, width: 2, height: 1, format: .bgr, as: .u8) == [0, 0, 255, 30, 200, 10])
    }

    @Test func shrinkingAveragesAndEnlargingInterpolates() {
        let image = RasterImage(width: 2, height: 2, rgb: [0, 0, 0, 100, 100, 100, 200, 200, 200, 100, 100, 100])
        #expect(ImageResampler.resize(image, width: 1, height: 1).rgb == [100, 100, 100])
        let wide = ImageResampler.resize(RasterImage(width: 2, height: 1, rgb: [0, 0, 0, 200, 200, 200]), width: 4, height: 1)
        #expect(wide.rgb == [0, 0, 0, 50, 50, 50, 150, 150, 150, 200, 200, 200])
    }

    /// Mutated and truncated files must fail with a SensorError, never crash.
    @Test func mutatedFilesNeverCrash() throws {
        var inputs: [[UInt8]] = []
        for name in ImageDecoderTests.pngs { inputs.append(try fixture("png", name).bytes) }
        for name in ImageDecoderTests.bmps { inputs.append(try fixture("bmp", name).bytes) }
        var random = SeededGenerator(seed: 0x5EED)
        var decoded = 0, rejected = 0
        for round in 0..<6000 {
            var bytes = inputs[round % inputs.count]
            switch round % 4 {
            case 0: bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
            case 1:
                for _ in 0..<(1 + random.next() % 4) { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            case 2:
                let at = Int(random.next() % UInt64(bytes.count))
                bytes.insert(contentsOf: (0..<Int(random.next() % 16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            default:
                // Sizes and lengths live in the headers: hit them hardest.
                let at = Int(random.next() % UInt64(min(bytes.count, 64)))
                bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int(random.next() % 4)]
            }
            do { _ = try ImageDecoder.decode(bytes); decoded += 1 } catch { rejected += 1 }
        }
        #expect(decoded + rejected == 6000)
    }
}
