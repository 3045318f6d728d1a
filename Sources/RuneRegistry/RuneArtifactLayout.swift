import Foundation
import RuneManifest

/// What a pulled manifest must be for its artifact to be a rune: an OCI image manifest with a
/// wasm config and exactly one `application/wasm` layer, every digest well formed and every size
/// within the limits. Shared by the network pull and the offline cache lookup.
struct RuneArtifactLayout: Equatable {
    var configDigest: ContentDigest
    var configSize: Int
    var layerDigest: ContentDigest
    var layerSize: Int

    /// Checks `manifest` (hostile bytes, at most `RuneLimits.maxRegistryManifestBytes`); `name`
    /// says which artifact in messages.
    init(manifest: [UInt8], name: String) throws(RegistryError) {
        guard manifest.count <= RuneLimits.maxRegistryManifestBytes else {
            throw RegistryError("the manifest of \(name) is larger than \(RuneLimits.maxRegistryManifestBytes) bytes")
        }
        let document: OCIManifest
        do {
            document = try JSONDecoder().decode(OCIManifest.self, from: Data(manifest))
        } catch {
            throw RegistryError("the manifest of \(name) is not an OCI image manifest (malformed JSON or missing fields)")
        }
        guard document.schemaVersion == 2 else {
            throw RegistryError("the manifest of \(name) has schemaVersion \(document.schemaVersion); expected 2")
        }
        if let mediaType = document.mediaType, mediaType != OCIMediaType.imageManifest {
            throw RegistryError("the manifest of \(name) is '\(Printable.clean(mediaType, limit: 100))', not an OCI image manifest (\(OCIMediaType.imageManifest))")
        }
        guard document.config.mediaType == OCIMediaType.wasmConfig else {
            throw RegistryError("\(name) is not a rune: its config is '\(Printable.clean(document.config.mediaType, limit: 100))', not \(OCIMediaType.wasmConfig)")
        }
        guard document.layers.count == 1, let layer = document.layers.first, layer.mediaType == OCIMediaType.wasmLayer else {
            let kinds = document.layers.prefix(4).map { Printable.clean($0.mediaType, limit: 100) }.joined(separator: ", ")
            throw RegistryError("\(name) is not a rune: a rune artifact has exactly one \(OCIMediaType.wasmLayer) layer, this one has \(document.layers.count) (\(kinds))")
        }
        configDigest = try Self.digest(document.config.digest, name: name, what: "config")
        layerDigest = try Self.digest(layer.digest, name: name, what: "layer")
        guard (0...RuneLimits.maxRegistryConfigBytes).contains(document.config.size) else {
            throw RegistryError("the config of \(name) claims \(document.config.size) bytes; at most \(RuneLimits.maxRegistryConfigBytes) are accepted")
        }
        guard (1...RuneLimits.maxRuneBytes).contains(layer.size) else {
            throw RegistryError("the rune layer of \(name) claims \(layer.size) bytes; a rune has 1 to \(RuneLimits.maxRuneBytes)")
        }
        configSize = document.config.size
        layerSize = layer.size
    }

    /// Checks the config blob: a wasm config whose `layerDigests` name this layer.
    func checkConfig(_ config: [UInt8], name: String) throws(RegistryError) {
        guard let decoded = try? JSONDecoder().decode(WasmConfig.self, from: Data(config)), decoded.architecture == "wasm" else {
            throw RegistryError("the config of \(name) is not a wasm config (architecture 'wasm', os, layerDigests)")
        }
        guard decoded.layerDigests == [layerDigest.description] else {
            throw RegistryError("the config of \(name) lists other layers than its manifest (\(layerDigest))")
        }
    }

    /// Checks that `bytes` are what a descriptor promised: the size, then the digest.
    static func verify(_ bytes: [UInt8], digest: ContentDigest, size: Int, what: String, name: String) throws(RegistryError) {
        guard bytes.count == size else {
            throw RegistryError("the \(what) of \(name) has \(bytes.count) bytes but its manifest says \(size); refusing it")
        }
        let actual = ContentDigest(of: bytes)
        guard actual == digest else {
            throw RegistryError("digest mismatch: the \(what) of \(name) hashes to \(actual) but its manifest names \(digest); the registry's copy is damaged or was tampered with, so it is refused")
        }
    }

    private static func digest(_ text: String, name: String, what: String) throws(RegistryError) -> ContentDigest {
        guard let digest = ContentDigest(parsing: text) else {
            throw RegistryError("the manifest of \(name) names its \(what) by '\(Printable.clean(text, limit: 100))', not a sha256 digest")
        }
        return digest
    }
}
