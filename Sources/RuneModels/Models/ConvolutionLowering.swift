/// CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D.
extension LoweringContext {
    /// The padding before the first row or column, as TFLite's `ComputePaddingWithOffset`: the
    /// total padding the output size implies, split evenly, the odd pixel after (the kernels
    /// skip taps outside the input, so the pixel after needs no field).
    ///
    /// The padding type does not enter the formula: TFLite derives the output size from it
    /// (checked against the model by `expectedOutputSize`), and for VALID that size leaves a
    /// total of at most 0, so the padding is 0.
    func padding(input: Int, filter: Int, stride: Int, dilation: Int, output: Int) -> Int {
        let effective = (filter - 1) * dilation + 1
        return max(0, (output - 1) * stride + effective - input) / 2
    }

    func expectedOutputSize(_ padding: Padding, input: Int, filter: Int, stride: Int, dilation: Int) -> Int {
        let effective = (filter - 1) * dilation + 1
        return padding == .same ? (input + stride - 1) / stride : (input + stride - effective) / stride
    }

    /// A `rune_conv_params` for NHWC `input` and `output`, before the output range is known.
    func convParams(input: [Int], filterHeight: Int, filterWidth: Int, output: [Int],
                    options: ConvolutionOptions, padHeight: Int, padWidth: Int, range: OutputRange,
                    requantization: Requantization? = nil) -> ConvParams {
        ConvParams(batches: input[0], inputHeight: input[1], inputWidth: input[2], inputDepth: input[3],
                   filterHeight: filterHeight, filterWidth: filterWidth,
                   outputHeight: output[1], outputWidth: output[2], outputDepth: output[3],
                   strideHeight: options.strideHeight, strideWidth: options.strideWidth,
                   dilationHeight: options.dilationHeight, dilationWidth: options.dilationWidth,
                   padHeight: padHeight, padWidth: padWidth, depthMultiplier: options.depthMultiplier,
                   range: range, requantization: requantization)
    }

    func convolution(_ op: TFLiteModel.Operator, depthwise: Bool) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let filter = try self.input(op, 1)
        let bias = optionalInput(op, 2)
        let output = try self.output(op)
        let options: ConvolutionOptions
        do {
            options = depthwise ? try .depthwise(op.options) : try .conv(op.options)
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard input.shape.count == 4, filter.shape.count == 4, output.shape.count == 4 else {
            throw unsupported(op, "with tensors that are not 4-dimensional")
        }
        try constant(op, filter, "filter")
        if let bias { try constant(op, bias, "bias") }
        guard options.strideWidth > 0, options.strideHeight > 0, options.dilationWidth > 0, options.dilationHeight > 0 else {
            throw error(op, "has a zero stride or dilation")
        }
        let (filterHeight, filterWidth) = (filter.shape[1], filter.shape[2])
        let outputDepth = output.shape[3]
        if depthwise {
            guard filter.shape[3] == outputDepth, outputDepth == input.shape[3] * options.depthMultiplier else {
                throw error(op, "has filter \(filter.shape) that does not match input \(input.shape) and output \(output.shape)")
            }
        } else {
            guard filter.shape[0] == outputDepth, filter.shape[3] == input.shape[3] else {
                throw unsupported(op, "with filter \(filter.shape) for input \(input.shape) (grouped convolution)")
            }
        }
        for (size, inputSize, filterSize, stride, dilation) in [
            (output.shape[1], input.shape[1], filterHeight, options.strideHeight, options.dilationHeight),
            (output.shape[2], input.shape[2], filterWidth, options.strideWidth, options.dilationWidth),
        ] where expectedOutputSize(options.padding, input: inputSize, filter: filterSize, stride: stride, dilation: dilation) != size {
            throw error(op, "has output \(output.shape) inconsistent with its input, filter and strides")
        }
        let padHeight = padding(input: input.shape[1], filter: filterHeight, stride: options.strideHeight,
                                dilation: options.dilationHeight, output: output.shape[1])
        let padWidth = padding(input: input.shape[2], filter: filterWidth, stride: options.strideWidth,
                               dilation: options.dilationWidth, output: output.shape[2])
        let range: OutputRange
        var requantization: Requantization?
        let name = depthwise ? "rune_depthwise_conv_2d" : "rune_conv_2d"
        let kernel: String
        switch (input.type, filter.type, output.type) {
        case (.float32, .float32, .float32):
            if let bias, bias.type != .float32 { throw unsupported(op, "with a \(bias.type.name) bias on float32") }
            let (low, high) = QuantizationMath.floatRange(options.activation)
            range = .float(min: low, max: high)
            kernel = "\(name)_f32"
        case (.int8, .int8, .int8), (.uint8, .uint8, .uint8):
            if let bias, bias.type != .int32 { throw unsupported(op, "with a \(bias.type.name) bias") }
            let inputQ = try quantization(op, input)
            let filterQ = try quantization(op, filter)
            let outputQ = try quantization(op, output)
            let perChannel = filterQ.scales.count > 1
            if perChannel, filterQ.scales.count != outputDepth {
                throw error(op, "has \(filterQ.scales.count) filter scales for \(outputDepth) output channels")
            }
            if input.type == .int8, filterQ.zeroPoints.contains(where: { $0 != 0 }) {
                throw unsupported(op, "with int8 weights whose zero point is not 0")
            }
            if input.type == .uint8, perChannel { throw unsupported(op, "with per-channel uint8 weights") }
            var multipliers: [Int32] = []
            var shifts: [Int32] = []
            if input.type == .int8 {
                for scale in filterQ.scales {
                    let effective = Double(inputQ.scale) * Double(scale) / Double(outputQ.scale)
                    let (m, s) = try multiplier(op, effective)
                    multipliers.append(m)
                    shifts.append(s)
                }
            } else {
                let effective = Double(inputQ.scale * filterQ.scale) / Double(outputQ.scale)
                let (m, s) = try multiplier(op, effective)
                multipliers = [m]
                shifts = [s]
            }
            let (qmin, qmax) = output.type.integerRange
            let (low, high) = QuantizationMath.activationRange(options.activation, scale: outputQ.scale,
                                                              zeroPoint: outputQ.zeroPoint, min: qmin, max: qmax)
            range = .integer(min: low, max: high)
            requantization = Requantization(inputOffset: -inputQ.zeroPoint, filterOffset: -filterQ.zeroPoint,
                                                   outputOffset: outputQ.zeroPoint, multipliers: multipliers, shifts: shifts)
            kernel = "\(name)_\(input.type.suffix)"
        default:
            throw unsupported(op, "for \(input.type.name) input, \(filter.type.name) filter and \(output.type.name) output (hybrid convolution is not supported)")
        }
        let params = convParams(input: input.shape, filterHeight: filterHeight, filterWidth: filterWidth,
                                output: output.shape, options: options, padHeight: padHeight, padWidth: padWidth,
                                range: range, requantization: requantization)
        return .convolution(kernel: kernel, depthwise: depthwise, params, input: input.index, filter: filter.index,
                            bias: bias?.index, output: output.index)
    }

    func pool(_ op: TFLiteModel.Operator, average: Bool) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        let (options, filterWidth, filterHeight): (ConvolutionOptions, Int, Int)
        do {
            (options, filterWidth, filterHeight) = try ConvolutionOptions.pool(op.options)
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard input.shape.count == 4, output.shape.count == 4, input.shape[3] == output.shape[3] else {
            throw unsupported(op, "with tensors that are not 4-dimensional NHWC")
        }
        guard options.strideWidth > 0, options.strideHeight > 0, filterWidth > 0, filterHeight > 0 else {
            throw error(op, "has a zero stride or filter size")
        }
        guard input.type == output.type else { throw unsupported(op, "from \(input.type.name) to \(output.type.name)") }
        let padHeight = padding(input: input.shape[1], filter: filterHeight, stride: options.strideHeight,
                                dilation: 1, output: output.shape[1])
        let padWidth = padding(input: input.shape[2], filter: filterWidth, stride: options.strideWidth,
                               dilation: 1, output: output.shape[2])
        let range: OutputRange
        switch input.type {
        case .float32:
            let (low, high) = QuantizationMath.floatRange(options.activation)
            range = .float(min: low, max: high)
        case .int8, .uint8:
            let outputQ = try quantization(op, output)
            let (qmin, qmax) = output.type.integerRange
            let (low, high) = QuantizationMath.activationRange(options.activation, scale: outputQ.scale,
                                                              zeroPoint: outputQ.zeroPoint, min: qmin, max: qmax)
            range = .integer(min: low, max: high)
        default:
            throw unsupported(op, "for \(input.type.name)")
        }
        let kernel = "rune_\(average ? "average" : "max")_pool_2d_\(input.type.suffix)"
        let params = convParams(input: input.shape, filterHeight: filterHeight, filterWidth: filterWidth,
                                output: output.shape, options: options, padHeight: padHeight, padWidth: padWidth,
                                range: range)
        return .pooling(kernel: kernel, params, input: input.index, output: output.index)
    }
}
