/// FULLY_CONNECTED: float32, int8, uint8 and hybrid (float activations, int8 weights).
extension LoweringContext {
    func fullyConnected(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelStep {
        let input = try self.input(op, 0)
        let filter = try self.input(op, 1)
        let bias = optionalInput(op, 2)
        let output = try self.output(op)
        let activation: FusedActivation
        let weightsFormat: UInt8
        do {
            activation = try op.options.activation(0)
            weightsFormat = try op.options?.uint8(1) ?? 0
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard weightsFormat == 0 else { throw unsupported(op, "with shuffled weights") }
        try constant(op, filter, "filter")
        if let bias { try constant(op, bias, "bias") }
        guard filter.shape.count == 2 else { throw unsupported(op, "with a filter of shape \(filter.shape)") }
        let (outputDepth, inputDepth) = (filter.shape[0], filter.shape[1])
        guard inputDepth > 0, input.elementCount % inputDepth == 0 else {
            throw error(op, "has input \(input.shape) that is not a whole number of rows of \(inputDepth)")
        }
        let batches = input.elementCount / inputDepth
        guard output.elementCount == batches * outputDepth else {
            throw error(op, "has output \(output.shape), expected \(batches) x \(outputDepth) elements")
        }
        var fields = [".batches = \(batches), .input_depth = \(inputDepth), .output_depth = \(outputDepth)"]
        var declarations: [String] = []
        var scratch = 0
        let kernel: String
        switch (input.type, filter.type, output.type) {
        case (.float32, .float32, .float32):
            let (low, high) = QuantizationMath.floatRange(activation)
            fields.append(".float_min = \(CLiteral.float(low)), .float_max = \(CLiteral.float(high))")
            kernel = "rune_fully_connected_f32"
        case (.float32, .int8, .float32):
            let filterQ = try quantization(op, filter)
            let asymmetric = (try? op.options?.bool(3)) ?? false
            if filterQ.zeroPoints.contains(where: { $0 != 0 }) { throw unsupported(op, "with hybrid weights whose zero point is not 0") }
            if filterQ.isPerChannel, filterQ.scales.count != outputDepth {
                throw error(op, "has \(filterQ.scales.count) filter scales for \(outputDepth) outputs")
            }
            let (low, high) = QuantizationMath.floatRange(activation)
            fields.append(".float_min = \(CLiteral.float(low)), .float_max = \(CLiteral.float(high))")
            declarations.append("static const float $P_filter_scales[\(filterQ.scales.count)] = {\n\(CLiteral.list(filterQ.scales.map(CLiteral.float), perLine: 6))\n};")
            fields.append(".filter_scales = $P_filter_scales, .per_channel = \(filterQ.scales.count > 1 ? 1 : 0), .asymmetric = \(asymmetric ? 1 : 0)")
            scratch = inputDepth
            kernel = "rune_fully_connected_hybrid"
        case (.int8, .int8, .int8), (.uint8, .uint8, .uint8):
            if let bias, bias.type != .int32 { throw unsupported(op, "with a \(bias.type.name) bias") }
            let inputQ = try quantization(op, input)
            let filterQ = try quantization(op, filter)
            let outputQ = try quantization(op, output)
            let perChannel = filterQ.scales.count > 1
            if perChannel, filterQ.scales.count != outputDepth {
                throw error(op, "has \(filterQ.scales.count) filter scales for \(outputDepth) outputs")
            }
            var multipliers: [Int32] = []
            var shifts: [Int32] = []
            if perChannel {
                for scale in filterQ.scales {
                    let (m, s) = try multiplier(op, Double(inputQ.scale) * Double(scale) / Double(outputQ.scale))
                    multipliers.append(m)
                    shifts.append(s)
                }
            } else {
                let (m, s) = try multiplier(op, Double(inputQ.scale * filterQ.scale) / Double(outputQ.scale))
                multipliers = [m]
                shifts = [s]
            }
            let (qmin, qmax) = output.type.integerRange
            let (low, high) = QuantizationMath.activationRange(activation, scale: outputQ.scale, zeroPoint: outputQ.zeroPoint,
                                                              min: qmin, max: qmax)
            declarations.append("static const int32_t $P_multipliers[\(multipliers.count)] = {\n\(CLiteral.list(multipliers.map(CLiteral.int32), perLine: 8))\n};")
            declarations.append("static const int32_t $P_shifts[\(shifts.count)] = {\n\(CLiteral.list(shifts.map(CLiteral.int32)))\n};")
            fields.append(".input_offset = \(-inputQ.zeroPoint), .filter_offset = \(-filterQ.zeroPoint), .output_offset = \(outputQ.zeroPoint)")
            fields.append(".activation_min = \(low), .activation_max = \(high)")
            fields.append(".multipliers = $P_multipliers, .shifts = $P_shifts, .per_channel = \(perChannel ? 1 : 0)")
            kernel = "rune_fully_connected_\(input.type.suffix)"
        default:
            throw unsupported(op, "for \(input.type.name) input, \(filter.type.name) weights and \(output.type.name) output")
        }
        declarations.append("static const rune_fully_connected_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};")
        let biasArgument = bias.map { "$T\($0.index)" } ?? "NULL"
        let scratchArgument = scratch > 0 ? ", (int8_t *)$S" : ""
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/fully_connected.h"], declarations: declarations,
            call: "\(kernel)(&$P, $T\(input.index), $T\(filter.index), \(biasArgument), $T\(output.index)\(scratchArgument));",
            reads: [input.index], writes: [output.index], constants: [filter.index] + (bias.map { [$0.index] } ?? []),
            scratchBytes: scratch)
    }
}
