@testable import RuneLink
import Testing

@Suite struct CBORTests {
    @Test func roundTrips() throws {
        let values: [CBOR] = [
            .unsigned(0), .unsigned(23), .unsigned(24), .unsigned(255), .unsigned(256), .unsigned(65_536), .unsigned(UInt64.max),
            .int(-1), .int(-500), .negative(UInt64.max), .bytes([]), .bytes(Array(0..<200)), .text(""), .text("héllo 🜂"),
            .bool(true), .bool(false), .null, .array([.unsigned(1), .text("a"), .array([])]),
            .map(["off": .unsigned(4096), "data": .bytes([1, 2, 3]), "sha": .bytes(Array(repeating: 7, count: 32)),
                  "nested": .map(["x": .array([.bool(true)])])]),
        ]
        for value in values { #expect(try CBOR(decoding: value.encoded()) == value) }
    }

    /// RFC 8949 appendix A vectors, and deterministic key order (length first, then bytes) as
    /// cbor2 writes with canonical=True.
    @Test func knownEncodings() {
        #expect(CBOR.unsigned(1_000_000).encoded() == [0x1A, 0x00, 0x0F, 0x42, 0x40])
        #expect(CBOR.int(-1000).encoded() == [0x39, 0x03, 0xE7])
        #expect(CBOR.text("IETF").encoded() == [0x64, 0x49, 0x45, 0x54, 0x46])
        #expect(CBOR.map(["len": .unsigned(1), "off": .unsigned(0), "data": .bytes([]), "sha": .bytes([])]).encoded() ==
                [0xA4, 0x63] + Array("len".utf8) + [0x01, 0x63] + Array("off".utf8) + [0x00, 0x63] + Array("sha".utf8) + [0x40, 0x64] +
                Array("data".utf8) + [0x40])
    }

    @Test func indefiniteLengthsDecode() throws {
        // {_ "a": [_ 1, 2], "b": (_ h'01', h'0203')}
        let bytes: [UInt8] = [0xBF, 0x61, 0x61, 0x9F, 0x01, 0x02, 0xFF, 0x61, 0x62, 0x5F, 0x41, 0x01, 0x42, 0x02, 0x03, 0xFF, 0xFF]
        #expect(try CBOR(decoding: bytes) == .map(["a": .array([.unsigned(1), .unsigned(2)]), "b": .bytes([1, 2, 3])]))
    }

    @Test func malformedInputIsRefused() {
        let deep = Array(repeating: UInt8(0x81), count: CBOR.maximumDepth + 1) + [0x00]
        let cases: [(String, [UInt8])] = [
            ("empty", []), ("truncated integer", [0x1A, 0, 0]), ("reserved information", [0x1C]),
            ("indefinite integer", [0x1F]), ("string past the end", [0x45, 1, 2]),
            ("huge array", [0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), ("stray break", [0xFF]),
            ("unterminated indefinite", [0x9F, 0x01]), ("mixed chunks", [0x5F, 0x61, 0x61, 0xFF]),
            ("non-text key", [0xA1, 0x01, 0x02]), ("duplicate key", [0xA2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02]),
            ("bad UTF-8", [0x62, 0xC3, 0x28]), ("float", [0xF9, 0x3C, 0x00]), ("trailing byte", [0x01, 0x02]),
            ("too deep", deep),
        ]
        for (name, bytes) in cases {
            #expect(throws: CBORDecodingError.self, "\(name)") { try CBOR(decoding: bytes) }
        }
        let atLimit = Array(repeating: UInt8(0x81), count: CBOR.maximumDepth) + [0x00]
        #expect((try? CBOR(decoding: atLimit)) != nil)
    }

    @Test func seededMutationsNeverCrash() {
        var generator = SplitMix(seed: 7)
        let original = CBOR.map(["off": .unsigned(70_000), "data": .bytes(Array(0..<40)), "d": .text("ok"),
                                 "a": .array([.int(-3), .bool(true), .map(["k": .null])])]).encoded()
        var decoded = 0
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 3)) where !bytes.isEmpty {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: at)
                }
            }
            if (try? CBOR(decoding: bytes)) != nil { decoded += 1 }
        }
        #expect(decoded > 0 && decoded < 20_000)
    }
}
