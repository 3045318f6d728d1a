import Foundation
import RuneManifest

/// `noise_filtering`: noise reduction, PCAN gain control and log scaling into int8, as the
/// micro_speech front end does. The gain lookup table and the fixed-point constants are computed
/// here at compile time with the original block's f32 arithmetic.
struct NoiseFiltering: ProcBlock {
    let name = "noise_filtering"
    let summary = "noise reduction, PCAN gain control and log scaling: U32[n] -> I8[n]"
    let schema = ArgumentSchema([
        Parameter("strength", .float(0...10), default: "0.95", summary: "PCAN strength: how strongly gain follows the noise estimate"),
        Parameter("offset", .float(0...1e6), default: "80.0", summary: "PCAN offset added to the noise estimate"),
        Parameter("gain_bits", .integer(0...30), default: "21", summary: "fixed-point bits of the PCAN gain"),
        Parameter("smoothing_bits", .integer(0...20), default: "10", summary: "fixed-point bits of the noise estimate"),
        Parameter("even_smoothing", .float(0...1), default: "0.025", summary: "how fast even channels' noise estimates move"),
        Parameter("odd_smoothing", .float(0...1), default: "0.06", summary: "how fast odd channels' noise estimates move"),
        Parameter("min_signal_remaining", .float(0...1), default: "0.05", summary: "the fraction of the signal always kept"),
    ])

    static let lutSize = 4 * 32 - 3

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        let input = try BlockTyping.single(inputs, [.u32])
        return [TensorType(.i8, input.dimensions)]
    }

    /// A fraction in 1/16384ths, as the original's `ScaledU16`.
    static func scaled(_ value: Double) -> Int {
        Int(UInt16(min(max(Float(value), 0), 1) * 16384))
    }

    /// PCAN's piecewise-quadratic gain table: for each octave of the noise estimate, the gain at
    /// its start and the coefficients of a quadratic through its start, middle and end.
    static func gainTable(strength: Float, offset: Float, gainBits: Int, smoothingBits: Int) -> [Int16] {
        let inputBits = smoothingBits + 1
        func gain(_ x: UInt32) -> Int16 {
            let scaledX = Float(x) / Float(1 << inputBits)
            let value = min(Float(1 << gainBits) * powf(scaledX + offset, -strength), Float(Int16.max))
            return Int16(value + 0.5)
        }
        var table = [Int16](repeating: 0, count: lutSize)
        table[0] = gain(0)
        table[1] = gain(1)
        for interval in 2...32 {
            let x0 = UInt32(1) << (interval - 1)
            let x1 = x0 + (x0 >> 1)
            let x2 = interval == 32 ? x0 + (x0 - 1) : 2 * x0
            let y0 = gain(x0), y1 = gain(x1), y2 = gain(x2)
            let d1 = y1 &- y0, d2 = y2 &- y0
            let a1 = 4 &* d1 &- d2
            let a2 = d2 &- a1
            table[4 * interval - 6] = y0
            table[4 * interval - 5] = a1
            table[4 * interval - 4] = a2
        }
        return table
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        let arguments = use.arguments
        let smoothingBits = arguments.integer("smoothing_bits") ?? 10
        let gainBits = arguments.integer("gain_bits") ?? 21
        let table = NoiseFiltering.gainTable(strength: Float(arguments.float("strength") ?? 0.95),
                                             offset: Float(arguments.float("offset") ?? 80),
                                             gainBits: gainBits, smoothingBits: smoothingBits)
        // snr_shift = gain_bits - correction_bits (-1) - snr_bits (12); never negative for a shift.
        let snrShift = max(gainBits + 1 - 12, 0)
        let s = use.symbol
        let count = input.type.elementCount
        let declarations = [
            BlockTyping.constantArray("\(s)_gain_lut", "int16_t", table.map(String.init), perLine: 16),
            "static uint32_t \(s)_estimate[\(count)];",
            "static double \(s)_energy[\(count)];",
            """
            static const rune_noise_filtering \(s)_state = {
                \(smoothingBits), \(NoiseFiltering.scaled(arguments.float("even_smoothing") ?? 0.025)), \(NoiseFiltering.scaled(arguments.float("odd_smoothing") ?? 0.06)), \(NoiseFiltering.scaled(arguments.float("min_signal_remaining") ?? 0.05)),
                \(snrShift), \(s)_gain_lut, \(s)_estimate, \(s)_energy,
            };
            """,
        ]
        return ProcBlockCode(
            includes: ["blocks/noise_filtering.h"],
            declarations: declarations.joined(separator: "\n"),
            call: "rune_block_noise_filtering(&\(s)_state, \(input.buffer), \(use.outputs[0].buffer), \(count))")
    }
}
