/// The one way numbers and initialiser lists reach generated C: models, blocks, the manifest and
/// the firmware's embedded inputs all print through here.
package enum CLiteral {
    /// A `float` literal that reads back as exactly `value`, bit for bit.
    ///
    /// Whole numbers below 1e7 print as `3.0f`, other finite values as exact hexadecimal literals
    /// (`0x1.8p-3f`), -0.0 keeps its sign. Infinities and NaNs have no literal: they print as
    /// clang/GCC constant builtins, a NaN with its sign, quiet bit and payload, so the constant in
    /// the binary is the model's.
    package static func float(_ value: Float) -> String {
        if value.isNaN {
            let payload = value.significandBitPattern & ~(UInt32(1) << 22)
            return nan(builtin: value.isSignalingNaN ? "__builtin_nansf" : "__builtin_nanf", payload: UInt64(payload),
                       negative: value.sign == .minus)
        }
        if value.isInfinite { return value > 0 ? "__builtin_inff()" : "(-__builtin_inff())" }
        if value == 0 { return value.sign == .minus ? "-0.0f" : "0.0f" }
        if value == value.rounded(), abs(value) < 1e7 { return "\(Int(value)).0f" }
        return hexFloat(Double(value)) + "f"
    }

    /// A `double` literal that reads back as exactly `value`, bit for bit (as `float`).
    package static func double(_ value: Double) -> String {
        if value.isNaN {
            let payload = value.significandBitPattern & ~(UInt64(1) << 51)
            return nan(builtin: value.isSignalingNaN ? "__builtin_nans" : "__builtin_nan", payload: payload,
                       negative: value.sign == .minus)
        }
        if value.isInfinite { return value > 0 ? "__builtin_inf()" : "(-__builtin_inf())" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int64(value)).0" }
        return hexFloat(value)
    }

    /// `__builtin_nanf("0x1")`: GCC and clang place the number in the significand's low bits and
    /// set the quiet bit (`nans` leaves it clear).
    private static func nan(builtin: String, payload: UInt64, negative: Bool) -> String {
        let call = "\(builtin)(\"0x\(String(payload, radix: 16))\")"
        return negative ? "(-\(call))" : call
    }

    /// An exact hexadecimal floating-point literal for a finite, non-zero double: `0x1.8p-3`.
    static func hexFloat(_ value: Double) -> String {
        precondition(value.isFinite, "hexFloat of \(value)")
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        let significand = magnitude.significandBitPattern
        if magnitude.isSubnormal {
            return "\(sign)0x0.\(String(significand, radix: 16).leftPadded(to: 13))p-1022"
        }
        var digits = String(significand, radix: 16).leftPadded(to: 13)
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let fraction = digits == "0" ? "" : ".\(digits)"
        return "\(sign)0x1\(fraction)p\(magnitude.exponent)"
    }

    static func int32(_ value: Int32) -> String {
        value == Int32.min ? "(-2147483647 - 1)" : String(value)
    }

    static func int64(_ value: Int64) -> String {
        value == Int64.min ? "(-9223372036854775807ll - 1)" : "\(value)ll"
    }

    /// `0x0f`.
    package static func byte(_ value: UInt8) -> String { "0x" + String(value, radix: 16).leftPadded(to: 2) }

    /// A braced initialiser list. With `perLine`, one value group per line, each line indented
    /// and ending in a comma:
    ///
    ///     {
    ///         1, 2, 3,
    ///         4,
    ///     }
    ///
    /// Without, on one line: `{1, 2, 3}`. An empty list is `{0}`, which C accepts for any
    /// aggregate (an empty `{}` is not C11).
    static func initializer(_ values: [String], perLine: Int? = nil, indent: String = "    ") -> String {
        if values.isEmpty { return "{0}" }
        guard let perLine else { return "{" + values.joined(separator: ", ") + "}" }
        precondition(perLine > 0, "an initialiser list needs at least one value per line")
        let lines = stride(from: 0, to: values.count, by: perLine).map { start in
            indent + values[start..<min(start + perLine, values.count)].joined(separator: ", ") + ","
        }
        return "{\n" + lines.joined(separator: "\n") + "\n}"
    }

    /// A file-scope array definition: `static const int32_t name[3] = {...};`. An empty array
    /// gets one zero element, so the name is always a valid pointer.
    package static func array(_ storage: String, _ name: String, _ values: [String], perLine: Int? = nil,
                      attributes: String = "") -> String {
        let suffix = attributes.isEmpty ? "" : " " + attributes
        return "\(storage) \(name)[\(max(1, values.count))]\(suffix) = \(initializer(values, perLine: perLine));"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int, with character: Character = "0") -> String {
        count >= width ? self : String(repeating: character, count: width - count) + self
    }
}
