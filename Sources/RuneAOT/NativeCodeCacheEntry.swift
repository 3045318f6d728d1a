import RuneFiles
import RuneManifest

/// The file format of one cache entry: a fixed header, then the shared object.
///
///     offset  size  field
///          0     8  magic "RUNE-AOT"
///          8     4  format version (little-endian), 1
///         12     4  header size (little-endian), 88
///         16    32  the key's digest (NativeCodeCacheKey.digest)
///         48     8  payload length in bytes (little-endian)
///         56    32  SHA-256 of the payload
///         88     …  payload: the shared object
///
/// Every byte read from the cache is hostile: an entry is loaded only when all of it checks out
/// (magic, version, header size, key, exact length, payload digest). Anything else is a reason
/// to rebuild it, never to load it.
enum NativeCodeCacheEntry {
    static let magic = Array("RUNE-AOT".utf8)
    static let formatVersion: UInt32 = 1
    static let headerSize = 88

    /// Why an entry was refused.
    enum Rejection: Error, CustomStringConvertible, Equatable {
        case truncated(bytes: Int)
        case badMagic
        case formatVersion(UInt32)
        case headerSize(UInt32)
        case otherKey
        case length(declared: UInt64, actual: Int)
        case digestMismatch

        var description: String {
            switch self {
            case let .truncated(bytes): "it has \(bytes) bytes, fewer than its \(NativeCodeCacheEntry.headerSize)-byte header"
            case .badMagic: "it does not start with \"RUNE-AOT\""
            case let .formatVersion(version): "its format version is \(version), not \(NativeCodeCacheEntry.formatVersion)"
            case let .headerSize(size): "its header size is \(size), not \(NativeCodeCacheEntry.headerSize)"
            case .otherKey: "it was made for another rune, engine or CPU"
            case let .length(declared, actual): "it declares \(declared) bytes of code but holds \(actual)"
            case .digestMismatch: "its code does not match its SHA-256"
            }
        }
    }

    /// The entry holding `payload` under `key`.
    static func encode(key: NativeCodeCacheKey, payload: [UInt8]) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerSize + payload.count)
        append(formatVersion, to: &bytes)
        append(UInt32(headerSize), to: &bytes)
        bytes += key.digest
        append(UInt64(payload.count), to: &bytes)
        bytes += SHA256.hash(payload)
        bytes += payload
        return bytes
    }

    /// The payload of `bytes`, if they are a whole, intact entry for `key`.
    static func decode(_ bytes: [UInt8], key: NativeCodeCacheKey) throws(Rejection) -> ArraySlice<UInt8> {
        guard bytes.count >= headerSize else { throw .truncated(bytes: bytes.count) }
        guard bytes[0..<8].elementsEqual(magic) else { throw .badMagic }
        let version = UInt32(littleEndian: bytes, at: 8)
        guard version == formatVersion else { throw .formatVersion(version) }
        let size = UInt32(littleEndian: bytes, at: 12)
        guard size == UInt32(headerSize) else { throw .headerSize(size) }
        guard bytes[16..<48].elementsEqual(key.digest) else { throw .otherKey }
        let length = UInt64(littleEndian: bytes, at: 48)
        let actual = bytes.count - headerSize
        guard length == UInt64(actual) else { throw .length(declared: length, actual: actual) }
        let payload = bytes[headerSize...]
        guard bytes[56..<88].elementsEqual(SHA256.hash(payload)) else { throw .digestMismatch }
        return payload
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}

private extension FixedWidthInteger {
    /// The little-endian integer at `offset` of `bytes` (the caller checked the bounds).
    init(littleEndian bytes: [UInt8], at offset: Int) {
        var value: Self = 0
        for index in 0..<MemoryLayout<Self>.size { value |= Self(bytes[offset + index]) << (8 * index) }
        self = value
    }
}
