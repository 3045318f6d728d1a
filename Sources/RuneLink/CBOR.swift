/// A CBOR (RFC 8949) value, as far as SMP uses them: integers, byte and text strings, booleans,
/// null, arrays and maps with text keys.
public enum CBOR: Equatable, Sendable {
    /// An unsigned integer, CBOR's major type 0.
    case unsigned(UInt64)
    /// The integer `-1 - n`, CBOR's major type 1 (so every value down to `-2^64` is representable).
    case negative(UInt64)
    /// A byte string.
    case bytes([UInt8])
    /// A UTF-8 text string.
    case text(String)
    /// An array of values.
    case array([CBOR])
    /// A map with text keys; encoded in CBOR's deterministic key order.
    case map([String: CBOR])
    /// `true` or `false` (simple values 21 and 20).
    case bool(Bool)
    /// `null` (simple value 22).
    case null

    /// An integer value, whichever sign.
    public static func int(_ value: Int64) -> CBOR {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-(value + 1)))
    }

    /// The value under `key` of a map; nil for other values or a missing key.
    public subscript(key: String) -> CBOR? {
        if case .map(let entries) = self { return entries[key] }
        return nil
    }

    /// The value as a signed integer, if it is an integer that fits.
    public var intValue: Int64? {
        switch self {
        case .unsigned(let value): return value <= UInt64(Int64.max) ? Int64(value) : nil
        case .negative(let value): return value <= UInt64(Int64.max) ? -1 - Int64(value) : nil
        default: return nil
        }
    }

    /// The value as an unsigned integer, if it is one.
    public var unsignedValue: UInt64? {
        if case .unsigned(let value) = self { return value }
        return nil
    }

    /// The bytes of a byte string.
    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    /// The text of a text string.
    public var textValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The value of a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The items of an array.
    public var arrayValue: [CBOR]? {
        if case .array(let value) = self { return value }
        return nil
    }
}
