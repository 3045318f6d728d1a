/// One kernel call of a lowered model, as typed values: the parameter block the kernel takes and
/// the tensors it reads and writes. `ModelCEmitter` is the only place that turns it into C.

/// A value in a C parameter block.
enum CValue: Equatable {
    case int(Int)
    case int32(Int32)
    case float(Float)
    case double(Double)
    /// An inline array member: `.dims = {1, 1, 49, 40}`.
    case inline([Int])
    /// A pointer member to a file-scope array the printer defines next to the block:
    /// `.multipliers = model_n3_multipliers`.
    case int32Table([Int32])
    case floatTable([Float])
}

struct CField: Equatable {
    var name: String
    var value: CValue
    init(_ name: String, _ value: CValue) {
        self.name = name
        self.value = value
    }
}

/// A kernel's parameter block, as the C struct the kernel reads; `lines` groups its members as
/// printed.
protocol KernelParameters {
    static var cType: String { get }
    var lines: [[CField]] { get }
}

/// The clamp after a kernel: floats for float kernels, quantized integers for the others.
enum OutputRange: Equatable {
    case float(min: Float, max: Float)
    case integer(min: Int32, max: Int32)

    var fields: [CField] {
        switch self {
        case .float(let low, let high): [CField("float_min", .float(low)), CField("float_max", .float(high))]
        case .integer(let low, let high): [CField("activation_min", .int32(low)), CField("activation_max", .int32(high))]
        }
    }
}

/// Offsets and per-tensor or per-channel output multipliers of a quantized convolution or
/// fully connected layer (TFLite Micro's `OpData` for them).
struct Requantization: Equatable {
    var inputOffset: Int32
    var filterOffset: Int32
    var outputOffset: Int32
    var multipliers: [Int32]
    var shifts: [Int32]

    var perChannel: Bool { multipliers.count > 1 }
    var offsets: [CField] {
        [CField("input_offset", .int32(inputOffset)), CField("filter_offset", .int32(filterOffset)),
         CField("output_offset", .int32(outputOffset))]
    }
    var tables: [CField] {
        [CField("multipliers", .int32Table(multipliers)), CField("shifts", .int32Table(shifts)),
         CField("per_channel", .int(perChannel ? 1 : 0))]
    }
}

/// `rune_conv_params`: CONV_2D, DEPTHWISE_CONV_2D and the pooling operators (TFLite's
/// `ConvParams` and `PoolParams`).
struct ConvParams: KernelParameters, Equatable {
    static let cType = "rune_conv_params"
    var batches: Int
    var inputHeight: Int, inputWidth: Int, inputDepth: Int
    var filterHeight: Int, filterWidth: Int
    var outputHeight: Int, outputWidth: Int, outputDepth: Int
    var strideHeight: Int, strideWidth: Int
    var dilationHeight: Int, dilationWidth: Int
    var padHeight: Int, padWidth: Int
    var depthMultiplier: Int
    var range: OutputRange
    /// Quantized convolutions only; pooling needs only the range.
    var requantization: Requantization?
    /// A quantized CONV_2D on packed weights (`WeightPacking.pointwise`): per output channel, the
    /// terms of its sums that depend only on the offsets and the weights. Empty for the others.
    var offsetSums: [Int32] = []

    var lines: [[CField]] {
        var lines: [[CField]] = [
            [CField("batches", .int(batches))],
            [CField("input_height", .int(inputHeight)), CField("input_width", .int(inputWidth)), CField("input_depth", .int(inputDepth))],
            [CField("filter_height", .int(filterHeight)), CField("filter_width", .int(filterWidth))],
            [CField("output_height", .int(outputHeight)), CField("output_width", .int(outputWidth)), CField("output_depth", .int(outputDepth))],
            [CField("stride_height", .int(strideHeight)), CField("stride_width", .int(strideWidth))],
            [CField("dilation_height", .int(dilationHeight)), CField("dilation_width", .int(dilationWidth))],
            [CField("pad_height", .int(padHeight)), CField("pad_width", .int(padWidth))],
            [CField("depth_multiplier", .int(depthMultiplier))],
        ]
        if let requantization { lines.append(requantization.offsets) }
        lines.append(range.fields)
        if let requantization { lines.append(requantization.tables) }
        if !offsetSums.isEmpty { lines.append([CField("offset_sums", .int32Table(offsetSums))]) }
        return lines
    }
}

/// `rune_fully_connected_params`.
struct FullyConnectedParams: KernelParameters, Equatable {
    static let cType = "rune_fully_connected_params"
    /// Float activations with int8 weights dequantized by these scales.
    struct Hybrid: Equatable {
        var filterScales: [Float]
        var asymmetric: Bool
    }
    var batches: Int, inputDepth: Int, outputDepth: Int
    var range: OutputRange
    var requantization: Requantization?
    var hybrid: Hybrid?

    var lines: [[CField]] {
        var lines = [[CField("batches", .int(batches)), CField("input_depth", .int(inputDepth)), CField("output_depth", .int(outputDepth))]]
        if let requantization { lines.append(requantization.offsets) }
        lines.append(range.fields)
        if let requantization { lines.append(requantization.tables) }
        if let hybrid {
            lines.append([CField("filter_scales", .floatTable(hybrid.filterScales)),
                          CField("per_channel", .int(hybrid.filterScales.count > 1 ? 1 : 0)),
                          CField("asymmetric", .int(hybrid.asymmetric ? 1 : 0))])
        }
        return lines
    }
}

/// A fixed-point multiplier and its shift.
struct FixedPointMultiplier: Equatable {
    var multiplier: Int32
    var shift: Int32
}

/// `rune_elementwise_params`: ADD, SUB and MUL over 6-dimensional broadcast strides.
struct ElementwiseParams: KernelParameters, Equatable {
    static let cType = "rune_elementwise_params"
    enum Scaling: Equatable {
        /// MUL: one multiplier for the product.
        case product(FixedPointMultiplier)
        /// ADD and SUB: both inputs rescaled to a common scale, shifted left, then the sum rescaled.
        case sum(leftShift: Int, input1: FixedPointMultiplier, input2: FixedPointMultiplier, output: FixedPointMultiplier)
    }
    struct Quantized: Equatable {
        var input1Offset: Int32, input2Offset: Int32, outputOffset: Int32
        var scaling: Scaling
    }
    var dims: [Int], strides1: [Int], strides2: [Int]
    var range: OutputRange
    var quantized: Quantized?

    var lines: [[CField]] {
        var lines = [[CField("dims", .inline(dims))], [CField("strides1", .inline(strides1))], [CField("strides2", .inline(strides2))]]
        if let quantized {
            lines.append([CField("input1_offset", .int32(quantized.input1Offset)), CField("input2_offset", .int32(quantized.input2Offset)),
                          CField("output_offset", .int32(quantized.outputOffset))])
        }
        lines.append(range.fields)
        switch quantized?.scaling {
        case .product(let output)?:
            lines.append([CField("output_multiplier", .int32(output.multiplier)), CField("output_shift", .int32(output.shift))])
        case .sum(let leftShift, let input1, let input2, let output)?:
            lines.append([CField("left_shift", .int(leftShift))])
            lines.append([CField("input1_multiplier", .int32(input1.multiplier)), CField("input1_shift", .int32(input1.shift))])
            lines.append([CField("input2_multiplier", .int32(input2.multiplier)), CField("input2_shift", .int32(input2.shift))])
            lines.append([CField("output_multiplier", .int32(output.multiplier)), CField("output_shift", .int32(output.shift))])
        case nil:
            break
        }
        return lines
    }
}

/// `rune_softmax_params`.
struct SoftmaxParams: KernelParameters, Equatable {
    static let cType = "rune_softmax_params"
    struct Quantized: Equatable {
        var input: FixedPointMultiplier
        var diffMin: Int32
    }
    var outerSize: Int, depth: Int
    var beta: Float
    var quantized: Quantized?

    var lines: [[CField]] {
        var lines = [[CField("outer_size", .int(outerSize)), CField("depth", .int(depth))], [CField("beta", .float(beta))]]
        if let quantized {
            lines.append([CField("input_multiplier", .int32(quantized.input.multiplier)),
                          CField("input_left_shift", .int32(quantized.input.shift)), CField("diff_min", .int32(quantized.diffMin))])
        }
        return lines
    }
}

/// `rune_activation_params`: RELU, RELU6, RELU_N1_TO_1, LOGISTIC and TANH.
struct ActivationParams: KernelParameters, Equatable {
    static let cType = "rune_activation_params"
    enum Variant: Equatable {
        /// Float LOGISTIC and TANH need only the size.
        case plain
        case clamp(OutputRange)
        /// int8 RELU: rescaled, then clamped.
        case relu(inputOffset: Int32, outputOffset: Int32, FixedPointMultiplier, OutputRange)
        /// int8 LOGISTIC and TANH (TFLite Micro's fixed-point tables).
        case sigmoid(inputZeroPoint: Int32, inputRangeRadius: Int32, input: FixedPointMultiplier)
    }
    var size: Int
    var variant: Variant

    var lines: [[CField]] {
        var lines = [[CField("size", .int(size))]]
        switch variant {
        case .plain:
            break
        case .clamp(let range):
            lines.append(range.fields)
        case .relu(let inputOffset, let outputOffset, let scaling, let range):
            lines.append([CField("input_offset", .int32(inputOffset)), CField("output_offset", .int32(outputOffset))])
            lines.append([CField("multiplier", .int32(scaling.multiplier)), CField("shift", .int32(scaling.shift))])
            lines.append(range.fields)
        case .sigmoid(let zeroPoint, let radius, let input):
            lines.append([CField("input_zero_point", .int32(zeroPoint)), CField("input_range_radius", .int32(radius))])
            lines.append([CField("input_multiplier", .int32(input.multiplier)), CField("input_left_shift", .int32(input.shift))])
        }
        return lines
    }
}

/// `rune_quantize_params`: QUANTIZE (from float, or requantizing) and DEQUANTIZE.
struct QuantizeParams: KernelParameters, Equatable {
    static let cType = "rune_quantize_params"
    enum Variant: Equatable {
        case quantize(outputZeroPoint: Int32, outputMin: Int32, outputMax: Int32, scale: Float)
        case requantize(outputZeroPoint: Int32, outputMin: Int32, outputMax: Int32, inputZeroPoint: Int32, FixedPointMultiplier)
        case dequantize(scale: Double, inputZeroPoint: Int32)
    }
    var size: Int
    var variant: Variant

    var lines: [[CField]] {
        var lines = [[CField("size", .int(size))]]
        switch variant {
        case .quantize(let zero, let low, let high, let scale):
            lines += [[CField("output_zero_point", .int32(zero))], [CField("output_min", .int32(low)), CField("output_max", .int32(high))],
                      [CField("scale", .float(scale))]]
        case .requantize(let zero, let low, let high, let inputZero, let scaling):
            lines += [[CField("output_zero_point", .int32(zero))], [CField("output_min", .int32(low)), CField("output_max", .int32(high))],
                      [CField("input_zero_point", .int32(inputZero)), CField("multiplier", .int32(scaling.multiplier)),
                       CField("shift", .int32(scaling.shift))]]
        case .dequantize(let scale, let zero):
            lines += [[CField("dequantize_scale", .double(scale))], [CField("input_zero_point", .int32(zero))]]
        }
        return lines
    }
}

/// `rune_pad_params`: PAD and PADV2 over 5 dimensions.
struct PadParams: KernelParameters, Equatable {
    static let cType = "rune_pad_params"
    var inputDims: [Int], before: [Int], after: [Int]
    var elementSize: Int

    var lines: [[CField]] {
        [[CField("input_dims", .inline(inputDims))], [CField("before", .inline(before))], [CField("after", .inline(after))],
         [CField("element_size", .int(elementSize))]]
    }
}

/// `rune_mean_params`: MEAN over 6 dimensions.
struct MeanParams: KernelParameters, Equatable {
    static let cType = "rune_mean_params"
    struct Quantized: Equatable {
        var inputZeroPoint: Int32, outputZeroPoint: Int32
        var scaling: FixedPointMultiplier
    }
    var dims: [Int], reduced: [Int]
    var count: Int, outputSize: Int
    var quantized: Quantized?

    var lines: [[CField]] {
        var lines = [[CField("dims", .inline(dims))], [CField("reduced", .inline(reduced))],
                     [CField("count", .int(count)), CField("output_size", .int(outputSize))]]
        if let quantized {
            lines.append([CField("input_zero_point", .int32(quantized.inputZeroPoint)), CField("output_zero_point", .int32(quantized.outputZeroPoint))])
            lines.append([CField("multiplier", .int32(quantized.scaling.multiplier)), CField("shift", .int32(quantized.scaling.shift))])
        }
        return lines
    }
}

/// `rune_svdf_params`.
struct SVDFParams: KernelParameters, Equatable {
    static let cType = "rune_svdf_params"
    var batches: Int, inputSize: Int, filters: Int, rank: Int
    var units: Int, memory: Int
    var inputZeroPoint: Int32, stateZeroPoint: Int32, outputZeroPoint: Int32
    var scaling1: FixedPointMultiplier, scaling2: FixedPointMultiplier
    var stateMin: Int32, stateMax: Int32
    /// The input offset times each filter's feature-weight sum, then the state offset times each
    /// filter's time-weight sum (wrapping, as the kernel's int32 sums wrap): constant, so the
    /// kernel adds them rather than work them out each call. Empty where the kernel has no use
    /// for them (an int16 state).
    var offsetSums: [Int32] = []

    var lines: [[CField]] {
        [
            [CField("batches", .int(batches)), CField("input_size", .int(inputSize)), CField("filters", .int(filters)), CField("rank", .int(rank))],
            [CField("units", .int(units)), CField("memory", .int(memory))],
            [CField("input_zero_point", .int32(inputZeroPoint)), CField("state_zero_point", .int32(stateZeroPoint)),
             CField("output_zero_point", .int32(outputZeroPoint))],
            [CField("multiplier1", .int32(scaling1.multiplier)), CField("shift1", .int32(scaling1.shift)),
             CField("multiplier2", .int32(scaling2.multiplier)), CField("shift2", .int32(scaling2.shift))],
            [CField("state_min", .int32(stateMin)), CField("state_max", .int32(stateMax))],
        ] + (offsetSums.isEmpty ? [] : [[CField("offset_sums", .int32Table(offsetSums))]])
    }
}

/// A scalar constant of a tensor's element type: PADV2's pad value.
enum ElementValue: Equatable {
    case float(Float)
    case integer(Int)
}

/// One kernel call. Tensors are model tensor indices, placed by the arena plan; `scratch` asks
/// the planner for that many bytes alive only during the call.
enum KernelCall: Equatable {
    case convolution(kernel: String, depthwise: Bool, ConvParams, input: Int, filter: Int, bias: Int?, output: Int)
    case pooling(kernel: String, ConvParams, input: Int, output: Int)
    case fullyConnected(kernel: String, FullyConnectedParams, input: Int, filter: Int, bias: Int?, output: Int, scratchBytes: Int)
    case elementwise(kernel: String, ElementwiseParams, input1: Int, input2: Int, output: Int)
    case softmax(kernel: String, SoftmaxParams, input: Int, output: Int)
    case activation(kernel: String, ActivationParams, input: Int, output: Int)
    case quantize(kernel: String, QuantizeParams, input: Int, output: Int)
    case pad(PadParams, value: ElementValue, input: Int, output: Int)
    case concatenation(outer: Int, sliceBytes: [Int], inputs: [Int], output: Int)
    case mean(kernel: String, MeanParams, input: Int, output: Int, scratchBytes: Int)
    case svdf(kernel: String, SVDFParams, input: Int, feature: Int, time: Int, bias: Int?, state: Int, output: Int, scratchBytes: Int)
    /// A view that cannot share its source's buffer, copied.
    case copy(source: Int, destination: Int, bytes: Int)
    /// A model output that is a model input or a constant, copied into the caller's buffer.
    case copyToModelOutput(source: Int, position: Int, bytes: Int)

    enum Access { case read, write, readWrite }

    /// Every tensor the call touches, in argument order.
    var tensors: [(index: Int, access: Access)] {
        switch self {
        case .convolution(_, _, _, let input, let filter, let bias, let output):
            [(input, .read), (filter, .read)] + (bias.map { [($0, .read)] } ?? []) + [(output, .write)]
        case .fullyConnected(_, _, let input, let filter, let bias, let output, _):
            [(input, .read), (filter, .read)] + (bias.map { [($0, .read)] } ?? []) + [(output, .write)]
        case .pooling(_, _, let input, let output), .softmax(_, _, let input, let output),
             .activation(_, _, let input, let output), .quantize(_, _, let input, let output),
             .pad(_, _, let input, let output), .mean(_, _, let input, let output, _):
            [(input, .read), (output, .write)]
        case .elementwise(_, _, let a, let b, let output):
            [(a, .read), (b, .read), (output, .write)]
        case .concatenation(_, _, let inputs, let output):
            inputs.map { ($0, .read) } + [(output, .write)]
        case .svdf(_, _, let input, let feature, let time, let bias, let state, let output, _):
            [(input, .read), (feature, .read), (time, .read)] + (bias.map { [($0, .read)] } ?? []) + [(state, .readWrite), (output, .write)]
        case .copy(let source, let destination, _):
            [(source, .read), (destination, .write)]
        case .copyToModelOutput(let source, _, _):
            [(source, .read)]
        }
    }

    /// Bytes of arena the call needs only while it runs.
    var scratchBytes: Int {
        switch self {
        case .fullyConnected(_, _, _, _, _, _, let bytes), .mean(_, _, _, _, let bytes), .svdf(_, _, _, _, _, _, _, _, let bytes): bytes
        default: 0
        }
    }

    /// The kernel header under Runtime/.
    var header: String {
        switch self {
        case .convolution(_, let depthwise, _, _, _, _, _): depthwise ? "kernels/depthwise_conv_2d.h" : "kernels/conv_2d.h"
        case .pooling: "kernels/pooling.h"
        case .fullyConnected: "kernels/fully_connected.h"
        case .elementwise: "kernels/elementwise.h"
        case .softmax: "kernels/softmax.h"
        case .activation: "kernels/activations.h"
        case .quantize: "kernels/quantize.h"
        case .pad, .concatenation, .copy, .copyToModelOutput: "kernels/shape_ops.h"
        case .mean: "kernels/mean.h"
        case .svdf: "kernels/svdf.h"
        }
    }
}

/// A kernel call and where it came from.
struct KernelStep: Equatable {
    /// The operator's index in the subgraph, or nil for a copy runec adds.
    var node: Int?
    /// `node 3: CONV_2D int8 [1,49,40,1] -> [1,25,20,8]`.
    var comment: String
    var call: KernelCall
}
