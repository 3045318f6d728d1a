/// The JSON of an OCI image manifest, as far as a rune artifact uses it: written on push,
/// decoded (at most `RuneLimits.maxRegistryManifestBytes`) and checked on pull.
struct OCIManifest: Codable, Equatable {
    /// A reference to a blob: its media type, digest and size.
    struct Descriptor: Codable, Equatable {
        var mediaType: String
        var digest: String
        var size: Int
    }

    var schemaVersion: Int
    var mediaType: String?
    var artifactType: String?
    var config: Descriptor
    var layers: [Descriptor]
    var annotations: [String: String]?
}
