/// QUANTIZE and DEQUANTIZE.
extension LoweringContext {
    func quantize(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelStep {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        guard input.elementCount == output.elementCount else { throw error(op, "has mismatched input and output") }
        let outputQ = try quantization(op, output)
        let (qmin, qmax) = output.type.integerRange
        var fields = [".size = \(input.elementCount)", ".output_zero_point = \(outputQ.zeroPoint)",
                      ".output_min = \(CLiteral.int32(qmin)), .output_max = \(CLiteral.int32(qmax))"]
        let kernel: String
        switch (input.type, output.type) {
        case (.float32, .int8), (.float32, .uint8), (.float32, .int16):
            fields.append(".scale = \(CLiteral.float(outputQ.scale))")
            kernel = "rune_quantize_f32_\(output.type.suffix)"
        case (.int8, .int8), (.int8, .uint8), (.uint8, .int8), (.int8, .int16), (.int16, .int8), (.int16, .int16),
             (.int16, .int32), (.int8, .int32):
            let inputQ = try quantization(op, input)
            let (m, s) = try multiplier(op, Double(inputQ.scale) / Double(outputQ.scale))
            fields.append(".input_zero_point = \(inputQ.zeroPoint), .multiplier = \(CLiteral.int32(m)), .shift = \(s)")
            kernel = "rune_requantize_\(input.type.suffix)_\(output.type.suffix)"
        default:
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/quantize.h"],
            declarations: ["static const rune_quantize_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};"],
            call: "\(kernel)(&$P, $T\(input.index), $T\(output.index));",
            reads: [input.index], writes: [output.index], constants: [])
    }

    func dequantize(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelStep {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        guard input.elementCount == output.elementCount, output.type == .float32,
              [.int8, .uint8, .int16].contains(input.type) else {
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        let inputQ = try quantization(op, input)
        guard !inputQ.isPerChannel else { throw unsupported(op, "with per-channel quantization") }
        let fields = [".size = \(input.elementCount)", ".dequantize_scale = \(CLiteral.double(Double(inputQ.scale)))",
                      ".input_zero_point = \(inputQ.zeroPoint)"]
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/quantize.h"],
            declarations: ["static const rune_quantize_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};"],
            call: "rune_dequantize_\(input.type.suffix)(&$P, $T\(input.index), $T\(output.index));",
            reads: input.isConstant ? [] : [input.index], writes: [output.index],
            constants: input.isConstant ? [input.index] : [])
    }
}
