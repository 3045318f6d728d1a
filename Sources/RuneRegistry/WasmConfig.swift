/// The config blob of a wasm artifact (`application/vnd.wasm.config.v0+json`): the architecture
/// is `wasm`, the OS `wasip1` (what the layout asks of a core module, which a rune is), and the
/// layers' digests, which make the config, and so the artifact, unique to its rune.
struct WasmConfig: Codable, Equatable {
    var architecture: String
    var os: String
    var layerDigests: [String]
}
