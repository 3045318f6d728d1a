import RuneFiles

/// What a cache entry's native code depends on: the rune's bytes (by SHA-256), the engine and
/// LLVM versions, and the target it was tuned for. Any change gives another key, hence another
/// entry; the key is also stored in the entry and checked when it is read.
public struct NativeCodeCacheKey: Hashable, Sendable {
    /// The SHA-256 of the rune's bytes.
    public let runeDigest: [UInt8]
    public let engineVersion: Int
    public let llvmVersion: String
    public let target: NativeTarget
    public let isolation: MemoryIsolation

    public init(rune: [UInt8], target: NativeTarget = .host, isolation: MemoryIsolation = .host,
                engineVersion: Int = AOTEngineVersion.current, llvmVersion: String = NativeTarget.llvmVersion) {
        runeDigest = SHA256.hash(rune)
        self.isolation = isolation
        self.engineVersion = engineVersion
        self.llvmVersion = llvmVersion
        self.target = target
    }

    /// Every field, one per line, in a fixed order: what `digest` hashes.
    var canonicalText: String {
        """
        rune-aot-cache-key
        rune \(SHA256.hex(runeDigest))
        engine \(engineVersion)
        llvm \(llvmVersion)
        triple \(target.triple)
        cpu \(target.cpu)
        features \(target.features)
        isolation \(isolation.rawValue)

        """
    }

    /// The key in 32 bytes, as entries store it.
    public var digest: [UInt8] { SHA256.hash(Array(canonicalText.utf8)) }

    /// The entry's file name: the digest in hexadecimal.
    public var fileName: String { SHA256.hex(digest) + NativeCodeCache.entrySuffix }
}
