import CRuneShared

/// SHA-256 (FIPS 180-4): the C of `Runtime/cortex-m/sha256.c` (through CRuneShared), which the
/// boards use to verify images, so host and device hash with one implementation.
///
/// Used to name and check what the tools keep on disk (the native-code cache) and to identify
/// runes. Feed bytes with `update` as they come, then take the `digest`; or hash a whole buffer
/// with `SHA256.hash`.
public struct SHA256: Sendable {
    private var state = rune_shared_sha256()

    public init() { rune_shared_sha256_init(&state) }

    /// The digest of `bytes`.
    public static func hash<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.digest
    }

    /// `hash(bytes)` as 64 lowercase hexadecimal digits, as `sha256sum` prints it.
    public static func hexHash<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(hash(bytes))
    }

    /// Lowercase hexadecimal digits of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Hashes `bytes` after what was fed before.
    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Hashes the bytes in `buffer` after what was fed before.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let start = buffer.baseAddress, buffer.count > 0 else { return }
        rune_shared_sha256_update(&state, start.assumingMemoryBound(to: UInt8.self), buffer.count)
    }

    /// The 32-byte digest of everything fed so far (the hasher itself is left as it was).
    public var digest: [UInt8] {
        var copy = state
        return [UInt8](unsafeUninitializedCapacity: Int(RUNE_SHARED_SHA256_DIGEST_BYTES)) { digest, count in
            rune_shared_sha256_final(&copy, digest.baseAddress!)
            count = Int(RUNE_SHARED_SHA256_DIGEST_BYTES)
        }
    }
}
