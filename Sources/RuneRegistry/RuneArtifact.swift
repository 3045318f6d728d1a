import Foundation
import RuneManifest

/// A rune laid out as an OCI artifact, after the CNCF TAG-Runtime wasm layout: the `.rune` as the
/// one `application/wasm` layer, a `application/vnd.wasm.config.v0+json` config, and an image
/// manifest whose `artifactType` is the config's type and whose annotations describe the rune's
/// capabilities, outputs and models (read from its `rune.manifest` section), so a registry
/// browser or `skopeo inspect` shows what a rune needs without downloading it.
///
/// Everything is deterministic (sorted keys, no timestamps): pushing the same rune twice makes
/// the same manifest, with the same digest.
public struct RuneArtifact: Sendable {
    /// The `.rune` itself.
    public let layer: [UInt8]
    /// The config blob's JSON.
    public let config: [UInt8]
    /// The image manifest's JSON.
    public let manifest: [UInt8]

    public var layerDigest: ContentDigest { ContentDigest(of: layer) }
    public var configDigest: ContentDigest { ContentDigest(of: config) }
    /// What the registry names the pushed rune by: `REGISTRY/REPO@sha256:…`.
    public var manifestDigest: ContentDigest { ContentDigest(of: manifest) }

    /// The annotation keys, under `dev.rune.`.
    public enum Annotation {
        public static let capabilities = "dev.rune.capabilities"
        public static let outputs = "dev.rune.outputs"
        public static let models = "dev.rune.models"
        public static let manifestVersion = "dev.rune.manifest.version"
        public static let memoryBytes = "dev.rune.memory-bytes"
    }

    /// Lays out `rune`, whose decoded manifest is `runeManifest`.
    public init(rune: [UInt8], runeManifest: Manifest) throws(RegistryError) {
        guard rune.count <= RuneLimits.maxRuneBytes else {
            throw RegistryError("the rune is larger than \(RuneLimits.maxRuneBytes) bytes, the limit")
        }
        layer = rune
        let layerDigest = ContentDigest(of: rune).description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            config = Array(try encoder.encode(WasmConfig(architecture: "wasm", os: "wasip1", layerDigests: [layerDigest])))
            let document = OCIManifest(
                schemaVersion: 2,
                mediaType: OCIMediaType.imageManifest,
                artifactType: OCIMediaType.wasmConfig,
                config: .init(mediaType: OCIMediaType.wasmConfig, digest: ContentDigest(of: config).description, size: config.count),
                layers: [.init(mediaType: OCIMediaType.wasmLayer, digest: layerDigest, size: rune.count)],
                annotations: try Self.annotations(runeManifest, encoder: encoder))
            manifest = Array(try encoder.encode(document))
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError("cannot encode the artifact's JSON: \(error)")
        }
        guard manifest.count <= RuneLimits.maxRegistryManifestBytes else {
            throw RegistryError("the rune's manifest describes too much for an OCI manifest (\(manifest.count) bytes, limit \(RuneLimits.maxRegistryManifestBytes))")
        }
    }

    /// Each list is a JSON array in one annotation (annotation values are strings); argument
    /// values (label lists can be large) are left to `rune inspect`.
    private static func annotations(_ manifest: Manifest, encoder: JSONEncoder) throws -> [String: String] {
        struct Capability: Encodable { var name, kind, tensor: String }
        struct Output: Encodable {
            var name, kind: String
            var inputs: [String]
        }
        struct Model: Encodable {
            var name, source: String
            var inputs, outputs: [String]
        }
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        return [
            Annotation.capabilities: try json(manifest.capabilities.map { Capability(name: $0.name, kind: $0.kind, tensor: $0.tensor.description) }),
            Annotation.outputs: try json(manifest.outputs.map { Output(name: $0.name, kind: $0.kind, inputs: $0.inputs.map(\.description)) }),
            Annotation.models: try json(manifest.models.map {
                Model(name: $0.name, source: $0.source, inputs: $0.inputs.map(\.description), outputs: $0.outputs.map(\.description))
            }),
            Annotation.manifestVersion: String(manifest.version),
            Annotation.memoryBytes: String(manifest.memoryBytes),
        ]
    }
}
