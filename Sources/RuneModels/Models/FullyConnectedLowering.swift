/// FULLY_CONNECTED: float32, int8, uint8 and hybrid (float activations, int8 weights).
extension LoweringContext {
    func fullyConnected(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
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
        let range: OutputRange
        var requantization: Requantization?
        var hybrid: FullyConnectedParams.Hybrid?
        var scratch = 0
        let kernel: String
        switch (input.type, filter.type, output.type) {
        case (.float32, .float32, .float32):
            let (low, high) = QuantizationMath.floatRange(activation)
            range = .float(min: low, max: high)
            kernel = "rune_fully_connected_f32"
        case (.float32, .int8, .float32):
            let filterQ = try quantization(op, filter)
            let asymmetric = (try? op.options?.bool(3)) ?? false
            if filterQ.zeroPoints.contains(where: { $0 != 0 }) { throw unsupported(op, "with hybrid weights whose zero point is not 0") }
            if filterQ.isPerChannel, filterQ.scales.count != outputDepth {
                throw error(op, "has \(filterQ.scales.count) filter scales for \(outputDepth) outputs")
            }
            let (low, high) = QuantizationMath.floatRange(activation)
            range = .float(min: low, max: high)
            hybrid = .init(filterScales: filterQ.scales, asymmetric: asymmetric)
            // The input quantized to int8, one row at a time.
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
            range = .integer(min: low, max: high)
            requantization = Requantization(inputOffset: -inputQ.zeroPoint, filterOffset: -filterQ.zeroPoint,
                                            outputOffset: outputQ.zeroPoint, multipliers: multipliers, shifts: shifts)
            kernel = "rune_fully_connected_\(input.type.suffix)"
        default:
            throw unsupported(op, "for \(input.type.name) input, \(filter.type.name) weights and \(output.type.name) output")
        }
        let params = FullyConnectedParams(batches: batches, inputDepth: inputDepth, outputDepth: outputDepth, range: range,
                                          requantization: requantization, hybrid: hybrid)
        return .fullyConnected(kernel: kernel, params, input: input.index, filter: filter.index, bias: bias?.index,
                               output: output.index, scratchBytes: scratch)
    }
}
