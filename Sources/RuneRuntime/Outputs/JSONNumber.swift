/// Formats numbers for SERIAL records the same way on every host (the Cortex-M runtime prints
/// byte-identical JSON).
///
/// Floats print the shortest decimal that reads back as the same value in the element's own
/// precision, laid out like ECMAScript's Number::toString: `3`, `0.5`, `0.84147096`, `1e-7`,
/// `1.5e+21`. NaN and infinities have no JSON spelling and print `null`.
enum JSONNumber {
    static func format(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        return layout(value.description)
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return layout(value.description)
    }

    /// Re-lays Swift's shortest round-trip description (`1.5e-07`, `100.0`, `-0.001`) out in the
    /// ECMAScript style.
    static func layout(_ description: String) -> String {
        var text = Substring(description)
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        // value = 0.<digits> x 10^point
        var digits = ""
        var point = 0
        var seenPoint = false
        for character in text {
            if character == "." {
                seenPoint = true
            } else {
                digits.append(character)
                if !seenPoint { point += 1 }
            }
        }
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return "0" }
        let n = point + exponent
        let k = digits.count
        var result: String
        if k <= n, n <= 21 {
            result = digits + String(repeating: "0", count: n - k)
        } else if 0 < n, n <= 21 {
            let index = digits.index(digits.startIndex, offsetBy: n)
            result = digits[..<index] + "." + digits[index...]
        } else if -6 < n, n <= 0 {
            result = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let power = n - 1
            result = String(digits.first!)
            if k > 1 { result += "." + digits.dropFirst() }
            result += "e" + (power > 0 ? "+" : "-") + String(abs(power))
        }
        return negative ? "-" + result : result
    }
}

/// JSON string escaping shared by every host.
enum JSONString {
    /// `"` and `\` escaped, control bytes as `\n`, `\t`, ... or `\u00xx`; other bytes as they are.
    static func quote(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var result: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): result += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): result += Array("\\\\".utf8)
            case 0x08: result += Array("\\b".utf8)
            case 0x0c: result += Array("\\f".utf8)
            case 0x0a: result += Array("\\n".utf8)
            case 0x0d: result += Array("\\r".utf8)
            case 0x09: result += Array("\\t".utf8)
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                result += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: result.append(byte)
            }
        }
        result.append(UInt8(ascii: "\""))
        return result
    }
}
