import RuneFiles
import RuneRegistry
import Testing

/// swift-crypto's SHA-256 (registry digests) and the project's C one agree, and digests parse
/// strictly.
@Suite struct ContentDigestTests {
    @Test func knownDigests() {
        #expect(ContentDigest(of: Array("abc".utf8)).description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentDigest(of: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var generator = SystemRandomNumberGenerator()
        for size in [1, 55, 56, 63, 64, 65, 1000, 100_000] {
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(ContentDigest(of: bytes).hex == RuneFiles.SHA256.hexHash(bytes))
        }
    }

    @Test func parsing() {
        let hex = String(repeating: "0f", count: 32)
        #expect(ContentDigest(parsing: "sha256:" + hex)?.hex == hex)
        #expect(ContentDigest(parsing: "sha256:" + hex.uppercased()) == nil)
        #expect(ContentDigest(parsing: "sha256:" + hex + "0") == nil)
        #expect(ContentDigest(parsing: "sha256:" + hex.dropLast()) == nil)
        #expect(ContentDigest(parsing: "sha512:" + hex) == nil)
        #expect(ContentDigest(parsing: "sha256:" + String(repeating: "g", count: 64)) == nil)
        #expect(ContentDigest(parsing: "") == nil)
    }
}
