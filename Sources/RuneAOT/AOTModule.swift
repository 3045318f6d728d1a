#if canImport(Glibc)
import Glibc
#endif
import RuneManifest
import WasmParser
import WasmTypes

/// A module as native code for this host, ready to be instantiated.
///
/// There is one way to get native code, with or without a cache: translate the module to a
/// shared object (LLVM, then lld), and load that object (`NativeCode`). A cache only lets the
/// translation be skipped: a verified entry for the same key is loaded exactly as a fresh
/// translation would be.
public final class AOTModule {
    let wasm: WasmModule
    let code: NativeCode

    /// Where the native code came from.
    public enum Origin: Sendable, Equatable {
        /// Translated now (and stored in the cache, when one was given and could be written).
        case translated
        /// Read from the cache and verified.
        case cached
    }
    public let origin: Origin
    /// Seconds spent getting the native code loaded: decoding, then translating and linking, or
    /// reading and verifying the cache entry; and loading it.
    public let preparationSeconds: Double
    /// Seconds the translation (IR, optimization, machine code, linking) took; 0 when cached.
    public let translationSeconds: Double
    /// What went wrong with the cache without stopping the run (an unwritable folder, a corrupt
    /// entry that was rebuilt), one sentence each, for the host to show as warnings.
    public let cacheWarnings: [String]

    /// How the code keeps its accesses inside its memory.
    public let isolation: MemoryIsolation

    /// Decodes `bytes` and gets its native code: from `cache` when it holds a verified entry
    /// for this module, engine, isolation and host, otherwise by translating it (and storing
    /// the result in `cache`).
    public init(bytes: [UInt8], cache: NativeCodeCache? = nil, isolation: MemoryIsolation = .host) throws(AOTError) {
        let start = ContinuousClock.now
        if isolation == .guardPages && MemoryIsolation.host != .guardPages {
            throw AOTError(.unsupported, "guard pages need a 64-bit host")
        }
        self.isolation = isolation
        wasm = try WasmModule(bytes: bytes)
        var warnings: [String] = []
        let key = cache.map { _ in NativeCodeCacheKey(rune: bytes, isolation: isolation) }
        var loaded: NativeCode?
        if let cache, let key {
            switch cache.load(key) {
            case .hit(let payload):
                do {
                    loaded = try NativeCode(sharedObject: payload)
                } catch {
                    warnings.append("the cached native code at '\(cache.path(for: key))' cannot be loaded (\(error)); translating again")
                }
            case .miss:
                break
            case .rejected(let reason):
                warnings.append("ignoring the cached native code at '\(cache.path(for: key))': \(reason); translating again")
            }
        }
        if let loaded {
            code = loaded
            origin = .cached
            translationSeconds = 0
        } else {
            let translationStart = ContinuousClock.now
            let sharedObject = try Self.translate(wasm, isolation: isolation)
            translationSeconds = Self.seconds(since: translationStart)
            if let cache, let key {
                if sharedObject.count > RuneLimits.maxNativeCodeBytes {
                    warnings.append("the native code (\(sharedObject.count) bytes) is over the cache's limit of \(RuneLimits.maxNativeCodeBytes) bytes; not cached")
                } else {
                    do {
                        try cache.store(sharedObject, for: key)
                    } catch {
                        warnings.append("cannot cache the native code in '\(cache.folder)': \(error.message)")
                    }
                }
            }
            code = try NativeCode(sharedObject: sharedObject)
            origin = .translated
        }
        cacheWarnings = warnings
        preparationSeconds = Self.seconds(since: start)
    }

    /// The module as a shared object for this host (what `AOTCompiler` writes for `--emit shared`).
    static func translate(_ wasm: WasmModule, isolation: MemoryIsolation) throws(AOTError) -> [UInt8] {
        let object = try TranslatedModule(wasm, target: .host, isolation: isolation).object()
        return try SharedObjectLinker.link(object: object)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The module's imports (module, name, kind).
    public var imports: [Import] { wasm.imports }
    public var exports: [Export] { wasm.exports }
}
