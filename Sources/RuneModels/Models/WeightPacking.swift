/// A constant weight matrix, `[rows][columns]` in the model (rows are output channels), that the
/// generated C holds in the layout its kernel reads: runec is free to lay weights out at compile
/// time, which an interpreter is not. Rows go in blocks of `block`, each block stored transposed,
/// `[columns][rows of the block]`, so that a kernel's inner loop runs over contiguous output
/// channels and vectorizes.
///
/// - The float CONV_2D and FULLY_CONNECTED kernels of `Runtime/kernels/optimized/float_packed.h`
///   take the whole matrix transposed (one block): `[taps x input depth][output depth]`.
/// - The int8 and uint8 1x1 CONV_2D of `Runtime/kernels/optimized/pointwise_packed.h` take blocks
///   of 16 output channels, `[input depth][16]`, uint8 weights `recentred` to int8 (w - 128), and
///   only where the C macro `condition` is defined: the Cortex-M builds keep the model's layout
///   for their own kernels, so the generated C carries both.
struct WeightPacking: Equatable, Sendable {
    var rows: Int
    var columns: Int
    /// Rows per block; the last block holds the rest.
    var block: Int
    /// uint8 weights stored as the bytes of w - 128 (w xor 0x80), for kernels that multiply int8.
    var recentred = false
    /// The C macro that selects the packed layout, or nil if the generated C always uses it.
    var condition: String?

    /// The whole matrix transposed, for the float kernels.
    static func transposed(rows: Int, columns: Int) -> WeightPacking {
        WeightPacking(rows: rows, columns: columns, block: rows)
    }

    /// Output channels per block of `pointwise`: RUNE_PACKED_CHANNELS in pointwise_packed.h.
    static let pointwiseChannels = 16

    /// An int8 or uint8 1x1 convolution's `[output depth][input depth]` filter.
    static func pointwise(outputDepth: Int, inputDepth: Int, recentred: Bool) -> WeightPacking {
        WeightPacking(rows: outputDepth, columns: inputDepth, block: pointwiseChannels, recentred: recentred,
                      condition: "RUNE_KERNELS_POINTWISE_PACKED")
    }

    /// `values` (row-major `[rows][columns]`) in blocks of `block` rows, each `[columns][rows]`.
    func pack<Element>(_ values: [Element]) -> [Element] {
        precondition(values.count == rows * columns, "a packed constant has \(values.count) elements, not \(rows) x \(columns)")
        var packed: [Element] = []
        packed.reserveCapacity(values.count)
        for first in stride(from: 0, to: rows, by: max(1, block)) {
            for column in 0..<columns {
                for row in first..<min(rows, first + block) { packed.append(values[row * columns + column]) }
            }
        }
        return packed
    }

    /// uint8 literals as the packed kernel stores them: recentred if `recentred`, then packed.
    func pack(literals: [String]) -> [String] {
        pack(recentred ? literals.map { String(UInt8($0)! ^ 0x80) } : literals)
    }

    /// How the generated C's comment names the layout.
    var description: String {
        let layout = block >= rows ? "[\(columns)][\(rows)]" : "in blocks of \(block) output channels, each [\(columns)][\(block)]"
        return "packed \(layout)" + (recentred ? " as w - 128" : "") + (condition.map { " where \($0)" } ?? "")
    }

    /// Per output channel of a 1x1 convolution on `pointwise` weights, the terms of its sum over
    /// the input depth K that depend only on the weights and offsets (pointwise_packed.h):
    /// io sum(w) + K F io, with w the stored weight (w - 128 for uint8), F the stored weights'
    /// filter offset (0 for int8, filter offset + 128 for uint8), and io the input offset of the
    /// input as the kernel reads it (an int8 input as x + 128, so io - 128). Wrapping, as the
    /// kernel's int32.
    static func pointwiseOffsetSums(_ data: ArraySlice<UInt8>, outputDepth: Int, inputDepth: Int, recentred: Bool,
                                    requantization: Requantization) -> [Int32] {
        let bytes = Array(data)
        let io = recentred ? requantization.inputOffset : requantization.inputOffset &- 128
        let storedOffset: Int32 = recentred ? requantization.filterOffset &+ 128 : 0
        return (0..<outputDepth).map { channel in
            var sum: Int32 = 0
            for k in 0..<inputDepth {
                let byte = bytes[channel * inputDepth + k]
                sum = sum &+ (recentred ? Int32(byte) - 128 : Int32(Int8(bitPattern: byte)))
            }
            return io &* sum &+ Int32(inputDepth) &* storedOffset &* io
        }
    }

    /// The steps rewritten to the packed kernels where their weights can be packed, and the
    /// packing of each such constant. A constant is packed only if every step that reads it wants
    /// it packed the same way; otherwise its steps keep the kernels that read the model's layout.
    static func apply(to steps: [KernelStep], model: TFLiteModel) -> (steps: [KernelStep], packings: [Int: WeightPacking]) {
        let packings = unanimousLayouts(of: steps, model: model) { call in
            call.packableWeights.map { (filter: $0.filter, layout: $0.packing) }
        }
        let rewritten = steps.map { step -> KernelStep in
            guard let candidate = step.call.packableWeights, let packing = packings[candidate.filter] else { return step }
            var packed = step
            packed.call = step.call.packed(packing, filter: model.tensors[candidate.filter])
            return packed
        }
        return (rewritten, packings)
    }
}

extension KernelCall {
    /// The constant weights this call could read packed, and how: float CONV_2D (not depthwise)
    /// and FULLY_CONNECTED, whose weights are [output depth][everything else], and int8 and uint8
    /// 1x1 CONV_2D.
    var packableWeights: (filter: Int, packing: WeightPacking)? {
        switch self {
        case .convolution("rune_conv_2d_f32", false, let params, _, let filter, _, _):
            (filter, .transposed(rows: params.outputDepth,
                                 columns: params.filterHeight * params.filterWidth * params.inputDepth))
        case .convolution(let kernel, false, let params, _, let filter, _, _)
            where (kernel == "rune_conv_2d_s8" || kernel == "rune_conv_2d_u8")
                && params.filterHeight == 1 && params.filterWidth == 1 && params.padHeight == 0 && params.padWidth == 0:
            (filter, .pointwise(outputDepth: params.outputDepth, inputDepth: params.inputDepth,
                                recentred: kernel == "rune_conv_2d_u8"))
        case .fullyConnected("rune_fully_connected_f32", let params, _, let filter, _, _, _):
            (filter, .transposed(rows: params.outputDepth, columns: params.inputDepth))
        default: nil
        }
    }

    /// This call on the kernel that reads its weights packed as `packing`, `filter` the weights.
    func packed(_ packing: WeightPacking, filter: TFLiteModel.Tensor) -> KernelCall {
        switch self {
        case .convolution(let kernel, let depthwise, var params, let input, let filterIndex, let bias, let output):
            if let requantization = params.requantization, let data = filter.data {
                params.offsetSums = WeightPacking.pointwiseOffsetSums(data, outputDepth: params.outputDepth,
                                                                      inputDepth: params.inputDepth,
                                                                      recentred: packing.recentred,
                                                                      requantization: requantization)
            }
            return .convolution(kernel: kernel + "_packed", depthwise: depthwise, params, input: input, filter: filterIndex,
                                bias: bias, output: output)
        case .fullyConnected(let kernel, let params, let input, let filter, let bias, let output, let scratch):
            return .fullyConnected(kernel: kernel + "_packed", params, input: input, filter: filter, bias: bias, output: output,
                                   scratchBytes: scratch)
        default: return self
        }
    }
}
