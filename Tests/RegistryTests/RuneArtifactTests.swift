import Foundation
import RuneManifest
@testable import RuneRegistry
import Testing

/// The artifact layout: deterministic on push, and strict on pull against hostile manifests.
@Suite struct RuneArtifactTests {
    static let runeManifest = Manifest(
        capabilities: [.init(name: "rand", kind: "RAND", tensor: TensorType(.f32, [1]), arguments: [])],
        outputs: [.init(name: "serial", kind: "SERIAL", inputs: [TensorType(.f32, [1])], arguments: [])],
        models: [], memoryBytes: 65_536)
    static let rune: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    @Test func layoutIsDeterministicAndReadsBack() throws {
        let first = try RuneArtifact(rune: Self.rune, runeManifest: Self.runeManifest)
        let second = try RuneArtifact(rune: Self.rune, runeManifest: Self.runeManifest)
        #expect(first.manifest == second.manifest)
        #expect(first.manifestDigest == second.manifestDigest)
        let layout = try RuneArtifactLayout(manifest: first.manifest, name: "test")
        #expect(layout.layerDigest == ContentDigest(of: Self.rune))
        #expect(layout.layerSize == Self.rune.count)
        #expect(layout.configDigest == first.configDigest)
        try layout.checkConfig(first.config, name: "test")
        let text = String(decoding: first.manifest, as: UTF8.self)
        #expect(text.contains(#""dev.rune.capabilities":"[{\"kind\":\"RAND\",\"name\":\"rand\",\"tensor\":\"F32[1]\"}]""#), "\(text)")
    }

    static func manifest(config: String = OCIMediaType.wasmConfig, configDigest: String = "sha256:" + String(repeating: "a", count: 64),
                         configSize: String = "10", layers: String? = nil, mediaType: String = OCIMediaType.imageManifest,
                         schema: String = "2") -> [UInt8] {
        let layer = #"{"mediaType":"application/wasm","digest":"sha256:\#(String(repeating: "b", count: 64))","size":8}"#
        return Array(#"{"schemaVersion":\#(schema),"mediaType":"\#(mediaType)","config":{"mediaType":"\#(config)","digest":"\#(configDigest)","size":\#(configSize)},"layers":[\#(layers ?? layer)]}"#.utf8)
    }

    @Test(arguments: [
        (manifest(schema: "1"), "schemaVersion 1"),
        (manifest(mediaType: "application/vnd.docker.distribution.manifest.v2+json"), "not an OCI image manifest"),
        (manifest(config: "application/vnd.oci.image.config.v1+json"), "is not a rune: its config"),
        (manifest(layers: ""), "has 0"),
        (manifest(layers: #"{"mediaType":"application/wasm","digest":"sha256:\#(String(repeating: "b", count: 64))","size":8},{"mediaType":"application/wasm","digest":"sha256:\#(String(repeating: "b", count: 64))","size":8}"#), "has 2"),
        (manifest(layers: #"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:\#(String(repeating: "b", count: 64))","size":8}"#), "exactly one application/wasm"),
        (manifest(configDigest: "sha256:../../etc/passwd"), "not a sha256 digest"),
        (manifest(configDigest: "md5:abc"), "not a sha256 digest"),
        (manifest(configSize: "-1"), "claims -1 bytes"),
        (manifest(configSize: "99999999999"), "claims 99999999999 bytes"),
        (manifest(configSize: "1e400"), "malformed JSON"),
        (manifest(layers: #"{"mediaType":"application/wasm","digest":"sha256:\#(String(repeating: "b", count: 64))","size":0}"#), "claims 0 bytes"),
        (manifest(layers: #"{"mediaType":"application/wasm","digest":"sha256:\#(String(repeating: "b", count: 64))","size":9999999999999}"#), "claims 9999999999999 bytes"),
        (Array("not json".utf8), "malformed JSON"),
        (Array(repeating: UInt8(ascii: "["), count: 100_000), "malformed JSON"),
        ([UInt8](repeating: 0xFF, count: 64), "malformed JSON"),
        ([UInt8](repeating: 0x20, count: RuneLimits.maxRegistryManifestBytes + 1), "larger than"),
    ])
    func hostileManifestsAreRefused(manifest: [UInt8], reason: String) {
        do {
            _ = try RuneArtifactLayout(manifest: manifest, name: "x")
            Issue.record("accepted a hostile manifest")
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test func verifyChecksSizeThenDigest() throws {
        let digest = ContentDigest(of: Self.rune)
        try RuneArtifactLayout.verify(Self.rune, digest: digest, size: 8, what: "rune layer", name: "x")
        #expect(throws: RegistryError.self) { try RuneArtifactLayout.verify(Self.rune, digest: digest, size: 9, what: "rune layer", name: "x") }
        var changed = Self.rune
        changed[7] = 1
        do {
            try RuneArtifactLayout.verify(changed, digest: digest, size: 8, what: "rune layer", name: "x")
            Issue.record("accepted changed bytes")
        } catch {
            #expect(error.message.hasPrefix("digest mismatch"))
        }
    }

    @Test func registryErrorBodiesAreNamedAndCleaned() {
        let body = Array(#"{"errors":[{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown\u001b[31m to registry"},{"code":"DENIED"}]}"#.utf8)
        let error = RegistryError.answer(registry: "r", operation: "storing", status: 400, reason: "Bad Request", body: body)
        #expect(error.codes == ["MANIFEST_BLOB_UNKNOWN", "DENIED"])
        #expect(error.message == "registry r answered 400 Bad Request to storing: MANIFEST_BLOB_UNKNOWN (blob unknown?[31m to registry); DENIED")
        let junk = RegistryError.answer(registry: "r", operation: "x", status: 500, reason: "Oops\r\nInjected: 1", body: Array("<html>".utf8))
        #expect(junk.codes.isEmpty)
        #expect(!junk.message.contains("\r") && !junk.message.contains("\n"))
    }
}
