/// The media types of a rune stored as an OCI artifact, after the CNCF TAG-Runtime layout for
/// WebAssembly: an OCI image manifest whose config is a small wasm config object and whose one
/// layer is the module itself.
public enum OCIMediaType {
    /// The manifest: `application/vnd.oci.image.manifest.v1+json`.
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    /// The config blob, also the manifest's `artifactType`: `application/vnd.wasm.config.v0+json`.
    public static let wasmConfig = "application/vnd.wasm.config.v0+json"
    /// The layer holding the `.rune` (a WebAssembly module): `application/wasm`.
    public static let wasmLayer = "application/wasm"
}
