import Foundation

/// The compile-time half of quantized kernels: multipliers, shifts and ranges computed exactly
/// as TFLite Micro computes them when it prepares a model, so the run-time half is bit-exact.
enum QuantizationMath {
    /// The largest shift the kernels apply (`rune_multiply_by_quantized_multiplier` shifts a
    /// 32-bit value left by at most 31).
    static let maxShift: Int32 = 31

    /// Whether `value` is a multiplier the fixed-point kernels can apply: finite, and smaller
    /// than 2^31 in magnitude (zero and tiny values are fine: they round to 0, as in TFLite).
    static func isRepresentable(_ value: Double) -> Bool {
        value.isFinite && value.magnitude < 0x1p31
    }

    /// A real multiplier as a Q0.31 significand and a power-of-two exponent (positive = left).
    ///
    /// Total: NaN is 0, and values too large for the kernels saturate at the largest multiplier
    /// (callers reject them first with `isRepresentable`; this is defence in depth).
    static func quantizeMultiplier(_ value: Double) -> (multiplier: Int32, shift: Int32) {
        if value == 0 || value.isNaN { return (0, 0) }
        guard isRepresentable(value) else { return (value > 0 ? .max : -.max, maxShift) }
        let (fraction, exponent) = frexp(value)
        // |fraction| is in [0.5, 1), so the product is at most 2^31 and always converts.
        var fixed = Int64((fraction * 0x1p31).rounded(.toNearestOrAwayFromZero))
        var shift = Int32(clamping: exponent)
        if fixed.magnitude == UInt64(1) << 31 {
            fixed /= 2
            shift += 1
        }
        if shift < -31 {
            shift = 0
            fixed = 0
        }
        if shift > maxShift { return (value > 0 ? .max : -.max, maxShift) }
        return (Int32(clamping: fixed), shift)
    }

    /// The quantized value of `value`: round(value / scale) + zero point, saturated to `Int32`
    /// (and 0 when the quotient is NaN) so no model parameter can trap.
    static func quantize(_ value: Float, scale: Float, zeroPoint: Int32) -> Int32 {
        // The quotient in Float, as TFLite Micro computes it.
        let quotient = Double((value / scale).rounded(.toNearestOrAwayFromZero))
        return saturated(quotient + Double(zeroPoint))
    }

    /// `value` as an `Int32`, clamped to its range; NaN is 0.
    static func saturated(_ value: Double) -> Int32 {
        if value.isNaN { return 0 }
        if value >= Double(Int32.max) { return .max }
        if value <= Double(Int32.min) { return .min }
        return Int32(value)
    }

    /// The clamp a fused activation implies, in the output's quantization.
    static func activationRange(_ activation: FusedActivation, scale: Float, zeroPoint: Int32,
                                min qmin: Int32, max qmax: Int32) -> (Int32, Int32) {
        switch activation {
        case .relu:
            return (max(qmin, quantize(0, scale: scale, zeroPoint: zeroPoint)), qmax)
        case .relu6:
            return (max(qmin, quantize(0, scale: scale, zeroPoint: zeroPoint)),
                    min(qmax, quantize(6, scale: scale, zeroPoint: zeroPoint)))
        case .reluN1To1:
            return (max(qmin, quantize(-1, scale: scale, zeroPoint: zeroPoint)),
                    min(qmax, quantize(1, scale: scale, zeroPoint: zeroPoint)))
        default:
            return (qmin, qmax)
        }
    }

    /// The clamp a fused activation implies on floats.
    static func floatRange(_ activation: FusedActivation) -> (Float, Float) {
        switch activation {
        case .relu: (0, .greatestFiniteMagnitude)
        case .relu6: (0, 6)
        case .reluN1To1: (-1, 1)
        default: (-.greatestFiniteMagnitude, .greatestFiniteMagnitude)
        }
    }

    /// Largest input magnitude that does not saturate after scaling by 2^left_shift.
    static func inputRadius(integerBits: Int, leftShift: Int, totalBits: Int = 31) -> Int32 {
        let maximum = 1.0 * Double((1 << integerBits) - 1) * Double(Int64(1) << (totalBits - integerBits))
            * exp2(Double(-leftShift))
        return saturated(floor(maximum))
    }
}
