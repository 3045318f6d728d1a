import Foundation

/// The compile-time half of quantized kernels: multipliers, shifts and ranges computed exactly
/// as TFLite Micro computes them when it prepares a model, so the run-time half is bit-exact.
enum QuantizationMath {
    /// A real multiplier as a Q0.31 significand and a power-of-two exponent (positive = left).
    static func quantizeMultiplier(_ value: Double) -> (multiplier: Int32, shift: Int32) {
        if value == 0 { return (0, 0) }
        let (fraction, exponent) = frexp(value)
        var shift = Int32(exponent)
        var fixed = Int64((fraction * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero))
        if fixed == Int64(1) << 31 {
            fixed /= 2
            shift += 1
        }
        if shift < -31 {
            shift = 0
            fixed = 0
        }
        return (Int32(fixed), shift)
    }

    /// The quantized value of `value`: round(value / scale) + zero point.
    static func quantize(_ value: Float, scale: Float, zeroPoint: Int32) -> Int32 {
        Int32((value / scale).rounded(.toNearestOrAwayFromZero)) + zeroPoint
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
            / Double(Int64(1) << leftShift)
        return Int32(floor(maximum))
    }
}
