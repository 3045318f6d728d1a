import RuneManifest
import WasmKit

/// A `.rune` file, loaded and validated: a WebAssembly module that follows the rune ABI, with
/// its manifest read from the `rune.manifest` section. Nothing has run yet.
public struct Rune: Sendable {
    public let bytes: [UInt8]
    public let manifest: Manifest
    /// The stages, when the rune carries a `rune.pipeline` section.
    public let pipeline: PipelineDescription?
    /// The base rune it was derived from (`FROM REGISTRY/REPO:TAG`), when it carries a
    /// `rune.lineage` section.
    public let lineage: RuneLineage?
    let module: Module
    /// Bytes of linear memory the module asks for at instantiation, if it has a memory section.
    let initialMemoryBytes: UInt64?

    /// The module's sections and their sizes, as WasmKit's parser reads them (for `rune inspect`;
    /// read again at each use).
    public var sections: WasmSections { WasmSections(bytes) }

    /// The host functions a rune may import, module "rune", and their signatures.
    static let imports: [String: FunctionType] = [
        "capability_read": FunctionType(parameters: [.i32, .i32, .i32], results: [.i32]),
        "output_write": FunctionType(parameters: [.i32, .i32, .i32, .i32], results: [.i32]),
        "log": FunctionType(parameters: [.i32, .i32, .i32], results: []),
    ]

    public init(bytes: [UInt8]) throws(RuneError) {
        self.bytes = bytes
        try WasmSections.checkHeader(bytes)
        do {
            module = try parseWasm(bytes: bytes, features: WasmSections.features)
        } catch {
            throw .malformed(WasmSections.truncation(in: bytes) ?? "\(error)")
        }
        guard let payload = module.customSections.first(where: { $0.name == Manifest.sectionName }) else {
            throw .abi("it has no '\(Manifest.sectionName)' section (was it built by runec?)")
        }
        do {
            manifest = try Manifest(decoding: Array(payload.bytes))
        } catch {
            throw .abi("its manifest is unreadable: \(error)")
        }
        pipeline = try Rune.optionalSection(PipelineDescription.sectionName, of: module, what: "pipeline description") {
            (bytes) throws(ManifestError) in try PipelineDescription(decoding: bytes)
        }
        lineage = try Rune.optionalSection(RuneLineage.sectionName, of: module, what: "lineage") {
            (bytes) throws(ManifestError) in try RuneLineage(decoding: bytes)
        }
        initialMemoryBytes = WasmSections.initialMemoryBytes(bytes)
        try checkImportsAndExports()
    }

    /// A custom section the rune may carry, decoded; nil when absent, an ABI error when malformed.
    private static func optionalSection<Value>(_ name: String, of module: Module, what: String,
                                               _ decode: ([UInt8]) throws(ManifestError) -> Value) throws(RuneError) -> Value? {
        guard let section = module.customSections.first(where: { $0.name == name }) else { return nil }
        do {
            return try decode(Array(section.bytes))
        } catch {
            throw .abi("its \(what) is unreadable: \(error)")
        }
    }

    private func checkImportsAndExports() throws(RuneError) {
        for entry in module.imports {
            guard entry.module == "rune", Rune.imports[entry.name] != nil else {
                throw .abi("it imports '\(entry.module).\(entry.name)'; a rune may import only rune.capability_read, rune.output_write and rune.log")
            }
            guard case .function = entry.descriptor else {
                throw .abi("it imports '\(entry.module).\(entry.name)' as something other than a function")
            }
        }
        let exports = Dictionary(module.exports.map { ($0.name, $0.descriptor) }, uniquingKeysWith: { first, _ in first })
        guard case .memory? = exports["memory"] else { throw .abi("it does not export its memory as 'memory'") }
        for name in ["_manifest", "_call"] {
            guard case .function? = exports[name] else { throw .abi("it does not export the function '\(name)'") }
        }
    }
}
