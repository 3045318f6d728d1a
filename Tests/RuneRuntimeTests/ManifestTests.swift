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

    @Test func survivesRandomMutations() {
        let original = Self.sample.encoded()
        var generator = SplitMix64(seed: 1)
        for _ in 0..<20000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            _ = try? Manifest(decoding: bytes)
        }
    }

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
