@testable import RuneManifest
@testable import RuneRuntime
import Testing

@Suite struct ManifestTests {
    static let sample = Manifest(
        capabilities: [
            .init(name: "audio", kind: "SOUND", tensor: TensorType(.i16, [16000]),
                  arguments: [.init(key: "hz", value: "16000"), .init(key: "source", value: "0")]),
        ],
        outputs: [.init(name: "serial", kind: "SERIAL", inputs: [TensorType(.utf8, [1]), TensorType(.f32, [2, 3])], arguments: [])],
        models: [.init(name: "model", source: "model.tflite", weightBytes: 18712, arenaBytes: 5120,
                       inputs: [TensorType(.i8, [1960])], outputs: [TensorType(.i8, [6])])],
        memoryBytes: 70000)

    @Test func roundTrips() throws {
        let decoded = try Manifest(decoding: Self.sample.encoded())
        #expect(decoded == Self.sample)
    }

    @Test func rejectsEveryTruncation() {
        let bytes = Self.sample.encoded()
        for length in 0..<bytes.count {
            #expect(throws: ManifestError.self) { _ = try Manifest(decoding: bytes.prefix(length)) }
        }
    }

    @Test func rejectsTrailingBytes() {
        #expect(throws: ManifestError.self) { _ = try Manifest(decoding: Self.sample.encoded() + [0]) }
    }

    /// Every mutation of a manifest either decodes to a manifest that re-encodes to exactly the
    /// mutated bytes, or is refused with a `ManifestError` that points inside the bytes. Seeded:
    /// a failure names its iteration, and the same seed replays it.
    @Test(arguments: [Self.sample, Self.hostile]) func mutationsDecodeToTheSameBytesOrAreRefused(_ manifest: Manifest) {
        let original = manifest.encoded()
        var generator = SplitMix64(seed: 1)
        var decoded = 0
        for iteration in 0..<20000 {
            let bytes = Self.mutate(original, &generator)
            do {
                let manifest = try Manifest(decoding: bytes)
                decoded += 1
                #expect(manifest.encoded() == bytes, "iteration \(iteration): decodes but re-encodes differently")
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count, "iteration \(iteration): \(error)")
            }
        }
        #expect(decoded > 100, "too few mutations decode to exercise the round trip")
        #expect(decoded < 20000, "some mutations must be refused")
    }

    @Test func refusesNamesOverTheLimit() {
        var manifest = Self.sample
        manifest.capabilities[0].name = String(repeating: "a", count: RuneLimits.maxNameBytes + 1)
        #expect(throws: ManifestError.self) { _ = try Manifest(decoding: manifest.encoded()) }
        manifest.capabilities[0].name = String(repeating: "a", count: RuneLimits.maxNameBytes)
        #expect(throws: Never.self) { _ = try Manifest(decoding: manifest.encoded()) }
    }

    @Test func refusesPaddedIntegers() {
        // "RUNE", version 1, a capability count of 0 written as 0x80 0x00.
        let bytes: [UInt8] = Array("RUNE".utf8) + [1, 0x80, 0x00, 0, 0, 0]
        #expect(throws: ManifestError.self) { _ = try Manifest(decoding: bytes) }
    }

    @Test func refusesTensorsOverTheByteLimit() {
        var manifest = Self.sample
        manifest.capabilities[0].tensor = TensorType(.f64, [RuneLimits.maxTensorElements])
        #expect(throws: ManifestError.self) { _ = try Manifest(decoding: manifest.encoded()) }
    }

    /// One to three random bytes changed, or a byte inserted or removed.
    static func mutate(_ original: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = original
        switch generator.next() % 8 {
        case 0: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: Int(generator.next() % UInt64(bytes.count + 1)))
        case 1: bytes.remove(at: Int(generator.next() % UInt64(bytes.count)))
        default:
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                // Small values are lengths, counts and kinds: they take the decoder down other paths.
                let value = generator.next()
                bytes[Int(generator.next() % UInt64(bytes.count))] = value % 2 == 0 ? UInt8(truncatingIfNeeded: value >> 8) : UInt8((value >> 8) % 16)
            }
        }
        return bytes
    }

    /// A manifest with every kind the host reads, and arguments a mutation can push out of range.
    static let hostile = Manifest(
        capabilities: [
            .init(name: "input", kind: "RAW", tensor: TensorType(.i32, [4]), arguments: [.init(key: "source", value: "0")]),
            .init(name: "audio", kind: "SOUND", tensor: TensorType(.i16, [160]),
                  arguments: [.init(key: "hz", value: "16000"), .init(key: "sample_size", value: "320")]),
            .init(name: "camera", kind: "IMAGE", tensor: TensorType(.u8, [2, 3, 3]),
                  arguments: [.init(key: "width", value: "3"), .init(key: "height", value: "2"), .init(key: "pixel_format", value: "RGB")]),
            .init(name: "motion", kind: "ACCEL", tensor: TensorType(.f32, [4, 3]), arguments: []),
            .init(name: "noise", kind: "RAND", tensor: TensorType(.u8, [8]), arguments: []),
        ],
        outputs: [.init(name: "serial", kind: "SERIAL", inputs: [TensorType(.i32, [4]), TensorType(.utf8, [2])], arguments: [])],
        models: [], memoryBytes: 65536)

    @Test func rejectsHugeCountsWithoutAllocating() {
        // "RUNE", version 1, then a capability count of 2^35.
        let bytes: [UInt8] = Array("RUNE".utf8) + [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(throws: ManifestError.self) { _ = try Manifest(decoding: bytes) }
    }

    @Test func canonicalShapesDropUnitDimensions() {
        #expect(TensorType(.u8, [1, 96, 96, 1]).dimensions == [96, 96])
        #expect(TensorType(.f32, []).dimensions == [1])
        #expect(TensorType(.f32, [1, 1]).dimensions == [1])
        #expect(TensorType(.f32, [1, 1]) == TensorType(.f32, []))
    }
}
