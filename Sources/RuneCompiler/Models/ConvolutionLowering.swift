/// CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D.
extension LoweringContext {
    /// TFLite's padding: total padding split evenly, the odd pixel after.
    func padding(_ padding: Padding, input: Int, filter: Int, stride: Int, dilation: Int, output: Int) -> Int {
        let effective = (filter - 1) * dilation + 1
        let total = max(0, (output - 1) * stride + effective - input)
        return padding == .same ? total / 2 : total / 2
    }

    func expectedOutputSize(_ padding: Padding, input: Int, filter: Int, stride: Int, dilation: Int) -> Int {
        let effective = (filter - 1) * dilation + 1
        return padding == .same ? (input + stride - 1) / stride : (input + stride - effective) / stride
    }

    /// The field list of a `rune_conv_params` initializer.
    func convFields(batches: Int, input: [Int], filterHeight: Int, filterWidth: Int, output: [Int],
                    options: ConvolutionOptions, padHeight: Int, padWidth: Int) -> [String] {
        [
            ".batches = \(batches)",
            ".input_height = \(input[1]), .input_width = \(input[2]), .input_depth = \(input[3])",
            ".filter_height = \(filterHeight), .filter_width = \(filterWidth)",
            ".output_height = \(output[1]), .output_width = \(output[2]), .output_depth = \(output[3])",
            ".stride_height = \(options.strideHeight), .stride_width = \(options.strideWidth)",
            ".dilation_height = \(options.dilationHeight), .dilation_width = \(options.dilationWidth)",
            ".pad_height = \(padHeight), .pad_width = \(padWidth)",
            ".depth_multiplier = \(options.depthMultiplier)",
        ]
    }

    func convolution(_ op: TFLiteModel.Operator, depthwise: Bool) throws(ModelError) -> KernelStep {
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
        let padHeight = padding(options.padding, input: input.shape[1], filter: filterHeight, stride: options.strideHeight,
                                dilation: options.dilationHeight, output: output.shape[1])
        let padWidth = padding(options.padding, input: input.shape[2], filter: filterWidth, stride: options.strideWidth,
                               dilation: options.dilationWidth, output: output.shape[2])
        var fields = convFields(batches: input.shape[0], input: input.shape, filterHeight: filterHeight, filterWidth: filterWidth,
                                output: output.shape, options: options, padHeight: padHeight, padWidth: padWidth)
        var declarations: [String] = []
        let name = depthwise ? "rune_depthwise_conv_2d" : "rune_conv_2d"
        let kernel: String
        switch (input.type, filter.type, output.type) {
        case (.float32, .float32, .float32):
            if let bias, bias.type != .float32 { throw unsupported(op, "with a \(bias.type.name) bias on float32") }
            let (low, high) = QuantizationMath.floatRange(options.activation)
            fields.append(".float_min = \(CLiteral.float(low)), .float_max = \(CLiteral.float(high))")
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
            declarations.append("static const int32_t $P_multipliers[\(multipliers.count)] = {\n\(CLiteral.list(multipliers.map(CLiteral.int32), perLine: 8))\n};")
            declarations.append("static const int32_t $P_shifts[\(shifts.count)] = {\n\(CLiteral.list(shifts.map(CLiteral.int32)))\n};")
            fields.append(".input_offset = \(-inputQ.zeroPoint), .filter_offset = \(-filterQ.zeroPoint), .output_offset = \(outputQ.zeroPoint)")
            fields.append(".activation_min = \(low), .activation_max = \(high)")
            fields.append(".multipliers = $P_multipliers, .shifts = $P_shifts, .per_channel = \(perChannel ? 1 : 0)")
            kernel = "\(name)_\(input.type.suffix)"
        default:
            throw unsupported(op, "for \(input.type.name) input, \(filter.type.name) filter and \(output.type.name) output (hybrid convolution is not supported)")
        }
        declarations.append("static const rune_conv_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};")
        let biasArgument = bias.map { "$T\($0.index)" } ?? "NULL"
        return KernelStep(
            node: op.index, comment: comment(op), includes: [depthwise ? "kernels/depthwise_conv_2d.h" : "kernels/conv_2d.h"],
            declarations: declarations,
            call: "\(kernel)(&$P, $T\(input.index), $T\(filter.index), \(biasArgument), $T\(output.index));",
            reads: [input.index], writes: [output.index], constants: [filter.index] + (bias.map { [$0.index] } ?? []))
    }

    func pool(_ op: TFLiteModel.Operator, average: Bool) throws(ModelError) -> KernelStep {
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
        let padHeight = padding(options.padding, input: input.shape[1], filter: filterHeight, stride: options.strideHeight,
                                dilation: 1, output: output.shape[1])
        let padWidth = padding(options.padding, input: input.shape[2], filter: filterWidth, stride: options.strideWidth,
                               dilation: 1, output: output.shape[2])
        var fields = convFields(batches: input.shape[0], input: input.shape, filterHeight: filterHeight, filterWidth: filterWidth,
                                output: output.shape, options: options, padHeight: padHeight, padWidth: padWidth)
        switch input.type {
        case .float32:
            let (low, high) = QuantizationMath.floatRange(options.activation)
            fields.append(".float_min = \(CLiteral.float(low)), .float_max = \(CLiteral.float(high))")
        case .int8, .uint8:
            let outputQ = try quantization(op, output)
            let (qmin, qmax) = output.type.integerRange
            let (low, high) = QuantizationMath.activationRange(options.activation, scale: outputQ.scale,
                                                              zeroPoint: outputQ.zeroPoint, min: qmin, max: qmax)
            fields.append(".activation_min = \(low), .activation_max = \(high)")
        default:
            throw unsupported(op, "for \(input.type.name)")
        }
        let kernel = "rune_\(average ? "average" : "max")_pool_2d_\(input.type.suffix)"
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/pooling.h"],
            declarations: ["static const rune_conv_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};"],
            call: "\(kernel)(&$P, $T\(input.index), $T\(output.index));",
            reads: [input.index], writes: [output.index], constants: [])
    }
}
