import CRuneShared

/// Formats numbers for SERIAL records with the Cortex-M runtime's own C (`Runtime/cortex-m/json.c`,
/// through CRuneShared), so a board's lines and `rune run`'s are the same bytes by construction.
///
/// Floats print the shortest decimal that reads back as the same value in the element's own
/// precision, laid out like ECMAScript's Number::toString: `3`, `0.5`, `0.84147096`, `1e-7`,
/// `1.5e+21`. NaN and infinities have no JSON spelling and print `null`; -0 prints `0`.
enum JSONNumber {
    static func format(_ value: Float) -> String {
        spelling { rune_json_f32_bits($0, value.bitPattern) }
    }

    static func format(_ value: Double) -> String {
        spelling { rune_json_f64_bits($0, value.bitPattern) }
    }

    private static func spelling(_ write: (UnsafeMutablePointer<CChar>) -> UInt32) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(RUNE_SHARED_JSON_NUMBER_MAX)) { buffer in
            let length = Int(write(buffer.baseAddress!))
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: length), as: UTF8.self)
        }
    }
}

/// JSON string escaping, with the Cortex-M runtime's C as well.
enum JSONString {
    /// `"` and `\` escaped, control bytes as `\n`, `\t`, ... or `\u00xx`; other bytes as they are.
    static func quote(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var result: [UInt8] = [UInt8(ascii: "\"")]
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 6) { escape in
            for byte in bytes {
                let length = Int(rune_json_escape_byte(escape.baseAddress!, byte))
                for index in 0..<length { result.append(UInt8(bitPattern: escape[index])) }
            }
        }
        result.append(UInt8(ascii: "\""))
        return result
    }
}
