/// One kernel call of a lowered model, before memory is planned.
///
/// Tensor buffers are written as placeholders (`$T5` is tensor 5's buffer, `$S` the step's
/// scratch memory, `$P` a prefix unique to this step), replaced once the arena is planned.
struct KernelStep {
    /// The operator's index in the subgraph.
    var node: Int
    /// `node 3: CONV_2D int8 [1,49,40,1] -> [1,25,20,8]`.
    var comment: String
    /// Kernel headers under Runtime/.
    var includes: [String]
    /// File-scope C: parameter blocks and per-channel arrays.
    var declarations: [String]
    /// The call statement.
    var call: String
    /// Tensors read and written at run time (not constants), for lifetimes.
    var reads: [Int]
    var writes: [Int]
    /// Constant tensors the call reads: embedded as read-only data.
    var constants: [Int]
    /// Bytes of arena memory the step needs only while it runs.
    var scratchBytes: Int = 0
}

/// Formats values as C literals.
enum CLiteral {
    static func float(_ value: Float) -> String {
        if value.isNaN { return "__builtin_nanf(\"\")" }
        if value.isInfinite { return value > 0 ? "__builtin_inff()" : "(-__builtin_inff())" }
        if value == value.rounded(), abs(value) < 1e7 { return "\(Int(value)).0f" }
        return hexFloat(Double(value)) + "f"
    }

    static func double(_ value: Double) -> String {
        if value.isNaN { return "__builtin_nan(\"\")" }
        if value.isInfinite { return value > 0 ? "__builtin_inf()" : "(-__builtin_inf())" }
        return hexFloat(value)
    }

    /// An exact hexadecimal floating-point literal: 0x1.8p-3.
    static func hexFloat(_ value: Double) -> String {
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        let exponent = magnitude.exponent
        let significand = magnitude.significandBitPattern
        if magnitude.isSubnormal {
            return "\(sign)0x0.\(String(significand, radix: 16).leftPadded(to: 13))p-1022"
        }
        var digits = String(significand, radix: 16).leftPadded(to: 13)
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let fraction = digits == "0" ? "" : ".\(digits)"
        return "\(sign)0x1\(fraction)p\(exponent)"
    }

    static func int32(_ value: Int32) -> String {
        value == Int32.min ? "(-2147483647 - 1)" : String(value)
    }

    /// An initializer list, wrapped every `perLine` values.
    static func list(_ values: [String], perLine: Int = 16, indent: String = "    ") -> String {
        stride(from: 0, to: values.count, by: perLine).map { start in
            indent + values[start..<min(start + perLine, values.count)].joined(separator: ", ") + ","
        }.joined(separator: "\n")
    }
}
