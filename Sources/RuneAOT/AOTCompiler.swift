/// The AOT translator for tools (`runec aot`): the same translation the engine runs, written
/// out instead of loaded.
public enum AOTCompiler {
    /// What to produce.
    public enum Emit: String, CaseIterable, Sendable {
        /// A relocatable object file.
        case object
        /// The shared object the engine loads (and caches).
        case shared
        /// The optimised LLVM IR, as text.
        case llvmIR = "llvm-ir"
    }

    /// Translates the WebAssembly module `bytes` for `target`, isolated as the engine on that
    /// target isolates it (`target.defaultIsolation`) unless `isolation` says otherwise.
    ///
    /// For a bare-metal target (`NativeTarget.cortexM7`) the object also carries everything
    /// instantiation needs, described by its one global symbol, `rune_aot_descriptor`, a `rune_aot_module` (see
    /// Runtime/cortex-m/aot/aot_context.h); there is no shared object to make for it.
    public static func compile(_ bytes: [UInt8], target: NativeTarget = .host, isolation: MemoryIsolation? = nil,
                               emit: Emit) throws(AOTError) -> [UInt8] {
        if target.isBareMetal && emit == .shared {
            throw AOTError(.unsupported, "\(target) has no dynamic loader: emit an object and link it into firmware")
        }
        let wasm = try WasmModule(bytes: bytes)
        let translated = try TranslatedModule(wasm, target: target, isolation: isolation ?? target.defaultIsolation)
        switch emit {
        case .object: return try translated.object()
        case .shared: return try SharedObjectLinker.link(object: translated.object())
        case .llvmIR: return Array(translated.irText().utf8)
        }
    }
}
