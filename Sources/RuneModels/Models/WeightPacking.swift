/// A constant weight matrix, `[rows][columns]` in the model, that the generated C holds
/// transposed, `[columns][rows]`, because its kernel reads it so: runec is free to lay weights out
/// at compile time, which an interpreter is not. The float CONV_2D and FULLY_CONNECTED kernels of
/// `Runtime/kernels/optimized/float_packed.h` take their weights as `[taps x input depth][output
/// depth]`, so that their inner loop runs over contiguous output channels and vectorizes.
struct WeightPacking: Equatable, Sendable {
    var rows: Int
    var columns: Int

    /// `values` (row-major `[rows][columns]`) as `[columns][rows]`.
    func pack<Element>(_ values: [Element]) -> [Element] {
        precondition(values.count == rows * columns, "a packed constant has \(values.count) elements, not \(rows) x \(columns)")
        var packed: [Element] = []
        packed.reserveCapacity(values.count)
        for column in 0..<columns {
            for row in 0..<rows { packed.append(values[row * columns + column]) }
        }
        return packed
    }

    /// The steps rewritten to the packed float kernels where their weights can be packed, and the
    /// packing of each such constant. A constant is packed only if every step that reads it wants
    /// it packed the same way; otherwise its steps keep the kernels that read the model's layout.
    static func apply(to steps: [KernelStep], model: TFLiteModel) -> (steps: [KernelStep], packings: [Int: WeightPacking]) {
        var wanted: [Int: WeightPacking] = [:]
        var refused: Set<Int> = []
        for step in steps {
            let candidate = step.call.packableWeights
            for (index, _) in step.call.tensors where model.tensors[index].isConstant {
                guard let candidate, candidate.filter == index else {
                    refused.insert(index)
                    continue
                }
                if let existing = wanted[index], existing != candidate.packing { refused.insert(index) }
                wanted[index] = candidate.packing
            }
        }
        let packings = wanted.filter { !refused.contains($0.key) }
        let rewritten = steps.map { step -> KernelStep in
            guard let candidate = step.call.packableWeights, packings[candidate.filter] != nil else { return step }
            var packed = step
            packed.call = step.call.packed
            return packed
        }
        return (rewritten, packings)
    }
}

extension KernelCall {
    /// The constant weights this call could read packed, and how: float CONV_2D (not depthwise)
    /// and FULLY_CONNECTED, whose weights are [output depth][everything else].
    var packableWeights: (filter: Int, packing: WeightPacking)? {
        switch self {
        case .convolution("rune_conv_2d_f32", false, let params, _, let filter, _, _):
            (filter, WeightPacking(rows: params.outputDepth,
                                   columns: params.filterHeight * params.filterWidth * params.inputDepth))
        case .fullyConnected("rune_fully_connected_f32", let params, _, let filter, _, _, _):
            (filter, WeightPacking(rows: params.outputDepth, columns: params.inputDepth))
        default: nil
        }
    }

    /// This call on the kernel that reads its weights packed.
    var packed: KernelCall {
        switch self {
        case .convolution(let kernel, let depthwise, let params, let input, let filter, let bias, let output):
            .convolution(kernel: kernel + "_packed", depthwise: depthwise, params, input: input, filter: filter, bias: bias, output: output)
        case .fullyConnected(let kernel, let params, let input, let filter, let bias, let output, let scratch):
            .fullyConnected(kernel: kernel + "_packed", params, input: input, filter: filter, bias: bias, output: output,
                            scratchBytes: scratch)
        default: self
        }
    }
}
