import Foundation
import RuneManifest
@testable import RuneSensors
import RuneTestSupport
import Testing

/// Decodes the JPEGs in `Fixtures/sensors/jpeg/` (made by `scripts/make-jpeg-fixtures`) and
/// compares them with the pixels Pillow's libjpeg-turbo decoded from the same files.
@Suite struct JPEGDecoderTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sensors/jpeg")

    /// Every fixture with a reference decode, and how far from it this decoder may land.
    ///
    /// The bounds: libjpeg's default IDCT is an integer approximation and this one is floating
    /// point, so now and then a sample comes out one level apart (greyscale and unconverted RGB:
    /// bound 2, to leave room for a rare two-level miss). Upsampling and colour conversion use libjpeg's exact
    /// integer arithmetic, but a one-level miss in Y, Cb and Cr at once can move B by
    /// 1 + 1.772 plus rounding, and R by 1 + 1.402: bound 4 for colour. The means stay far below
    /// the bounds (measured 0.02-0.04): almost every sample agrees exactly.
    static let cases: [(name: String, maxDifference: Int, meanDifference: Double)] = [
        ("person-gray", 2, 0.1),
        ("person-gray-restart", 2, 0.1),
        ("person-444", 4, 0.1),
        ("person-420", 4, 0.1),
        ("gradient-444", 4, 0.1),
        ("gradient-422", 4, 0.1),
        ("gradient-420", 4, 0.1),
        ("gradient-440", 4, 0.1),
        ("gradient-420-restart", 4, 0.1),
        ("gradient-16bit-tables", 4, 0.1),
        ("gradient-separate-scans", 4, 0.1),
        ("gradient-rgb", 2, 0.1),
    ]

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
    }

    @Test func fixturesMatchPillow() throws {
        for (name, maxBound, meanBound) in Self.cases {
            let jpeg = try Self.bytes("\(name).jpg")
            let expected = try Self.bytes("\(name).rgb")
            #expect(JPEGDecoder.isJPEG(jpeg), "\(name)")
            let image = try JPEGDecoder.decode(jpeg)
            let size = name.hasPrefix("person") ? [96, 96] : [75, 51]
            #expect([image.width, image.height] == size, "\(name)")
            #expect(image.rgb.count == expected.count, "\(name)")
            guard image.rgb.count == expected.count else { continue }
            var largest = 0, total = 0
            for (a, b) in zip(image.rgb, expected) {
                let difference = abs(Int(a) - Int(b))
                largest = max(largest, difference)
                total += difference
            }
            let mean = Double(total) / Double(expected.count)
            #expect(largest <= maxBound, "\(name): max difference \(largest)")
            #expect(mean <= meanBound, "\(name): mean difference \(mean)")
        }
    }

    @Test func readsExtendedSequentialFrames() throws {
        // libjpeg marks a file with 16-bit quantisation tables as extended sequential (SOF1).
        let extended = try Self.bytes("gradient-16bit-tables.jpg")
        #expect(Self.marker(0xC1, in: extended) != nil)

        // SOF1 with 8-bit tables decodes exactly like SOF0.
        var baseline = try Self.bytes("gradient-420.jpg")
        let expected = try JPEGDecoder.decode(baseline)
        let frame = try #require(Self.marker(0xC0, in: baseline))
        baseline[frame + 1] = 0xC1
        #expect(try JPEGDecoder.decode(baseline) == expected)
    }

    @Test func refusesProgressiveWithAClearMessage() throws {
        let progressive = try Self.bytes("person-progressive.jpg")
        Self.expectRefusal(progressive, naming: "progressive")
    }

    @Test func refusesOtherVariants() throws {
        var twelveBit = try Self.bytes("gradient-444.jpg")
        let frame = try #require(Self.marker(0xC0, in: twelveBit))
        twelveBit[frame + 4] = 12
        Self.expectRefusal(twelveBit, naming: "12-bit")

        var arithmetic = try Self.bytes("gradient-444.jpg")
        arithmetic[frame + 1] = 0xC9
        Self.expectRefusal(arithmetic, naming: "arithmetic")

        Self.expectRefusal([])
        Self.expectRefusal([0x89, 0x50, 0x4E, 0x47])
        Self.expectRefusal([0xFF, 0xD8])
        Self.expectRefusal([0xFF, 0xD8, 0xFF, 0xD9])
    }

    @Test func hugeHeaderWithLittleDataFailsFast() throws {
        // 60000x1000 is under the pixel cap; the data covers a sliver of it.
        var jpeg = try Self.bytes("gradient-420.jpg")
        let frame = try #require(Self.marker(0xC0, in: jpeg))
        jpeg.replaceSubrange((frame + 5)..<(frame + 9), with: [0x03, 0xE8, 0xEA, 0x60])
        let start = Date()
        Self.expectRefusal(jpeg)
        #expect(Date().timeIntervalSince(start) < 1)

        jpeg.replaceSubrange((frame + 5)..<(frame + 9), with: [0xFF, 0xFF, 0xFF, 0xFF])
        Self.expectRefusal(jpeg)
    }

    @Test func truncatedImageDataThrows() throws {
        let jpeg = try Self.bytes("person-420.jpg")
        let scan = try #require(Self.marker(0xDA, in: jpeg))
        for cut in stride(from: scan + 20, to: jpeg.count - 2, by: 97) {
            Self.expectRefusal(Array(jpeg[..<cut]))
        }
        // Without only its EOI marker the image is complete; libjpeg accepts that too.
        #expect(try JPEGDecoder.decode(Array(jpeg.dropLast(2))) == JPEGDecoder.decode(jpeg))
    }

    /// Every mutated fixture either decodes to an image within the size limits whose pixel
    /// buffer has exactly width × height × 3 bytes, or is refused with a `SensorError` that says
    /// why; a trap fails the whole run. Both outcomes must occur often, so the test cannot pass
    /// by refusing everything or by decoding everything. Seeded: JPEG_FUZZ_SEED and
    /// JPEG_FUZZ_CASES in the environment make different or longer runs.
    @Test func survivesMutatedFiles() throws {
        let environment = ProcessInfo.processInfo.environment
        let names = Self.cases.map(\.name) + ["person-progressive"]
        let seeds = try names.map { try Self.bytes("\($0).jpg") }
        let seed = environment["JPEG_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x4A50_4547
        var random = SeededGenerator(seed: seed)
        let total = environment["JPEG_FUZZ_CASES"].flatMap { Int($0) } ?? 20_000
        var decoded = 0, refused = 0
        for iteration in 0..<total {
            let original = seeds[Int(random.next() % UInt64(seeds.count))]
            let mutated = Self.mutate(original, using: &random)
            let result: Result<RasterImage, SensorError> = Result { () throws(SensorError) in try JPEGDecoder.decode(mutated) }
            switch result {
            case .success(let image):
                let withinLimits = (1...RuneLimits.maxImageSide).contains(image.width)
                    && (1...RuneLimits.maxImageSide).contains(image.height)
                    && image.width * image.height <= RuneLimits.maxImagePixels
                #expect(withinLimits && image.rgb.count == image.width * image.height * 3,
                        "seed \(seed), iteration \(iteration): \(image.width)x\(image.height), \(image.rgb.count) bytes")
                decoded += 1
            case .failure(let error):
                #expect(!error.message.isEmpty, "seed \(seed), iteration \(iteration): refused without a message")
                refused += 1
            }
        }
        #expect(decoded + refused == total)
        // With the default 20,000 cases about a third decode; a tenth of each is far from vacuous.
        #expect(decoded >= total / 10, "only \(decoded) of \(total) mutated files decoded")
        #expect(refused >= total / 10, "only \(refused) of \(total) mutated files were refused")
    }

    // MARK: - Helpers

    /// The offset of the first FF `code` marker outside any segment payload.
    static func marker(_ code: UInt8, in bytes: [UInt8]) -> Int? {
        var i = 2
        while i + 3 < bytes.count, bytes[i] == 0xFF {
            if bytes[i + 1] == code { return i }
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        return nil
    }

    /// `bytes` must be refused with a `SensorError` that says why (naming `reason`, when given:
    /// the refusals that say which JPEG variant is not supported).
    static func expectRefusal(_ bytes: [UInt8], naming reason: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: SensorError.self, sourceLocation: sourceLocation) { _ = try JPEGDecoder.decode(bytes) }
        guard let error else { return }
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
        if let reason {
            #expect(error.message.contains(reason), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    /// One to three random edits of the kinds real damage and hostile files make.
    fileprivate static func mutate(_ original: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = original
        for _ in 0..<(1 + Int(random.next() % 3)) {
            guard !bytes.isEmpty else { break }
            // Half of the edits land in the headers, where one byte changes the most.
            let headerEnd = min(bytes.count, marker(0xDA, in: bytes).map { $0 + 16 } ?? bytes.count)
            let limit = random.next() % 2 == 0 ? headerEnd : bytes.count
            let at = Int(random.next() % UInt64(limit))
            switch random.next() % 7 {
            case 0:
                bytes[at] ^= UInt8(1 << (random.next() % 8))
            case 1:
                bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 2:
                bytes[at] = [0x00, 0xFF, 0x7F, 0x80, 0x01][Int(random.next() % 5)]
            case 3:
                bytes.removeSubrange(at...)
            case 4:
                let count = 1 + Int(random.next() % 8)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            case 5:
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.next() % 16)))
            default:
                // Repeats a stretch elsewhere: duplicated segments, tables or scan data.
                let length = 1 + Int(random.next() % 200)
                let copy = Array(bytes[at..<min(bytes.count, at + length)])
                bytes.insert(contentsOf: copy, at: Int(random.next() % UInt64(bytes.count + 1)))
            }
        }
        return bytes
    }
}
