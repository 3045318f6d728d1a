/// QUANTIZE and DEQUANTIZE.
extension LoweringContext {
    func quantize(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        guard input.elementCount == output.elementCount else { throw error(op, "has mismatched input and output") }
        let outputQ = try quantization(op, output)
        let (qmin, qmax) = output.type.integerRange
        let variant: QuantizeParams.Variant
        let kernel: String
        switch (input.type, output.type) {
        case (.float32, .int8), (.float32, .uint8), (.float32, .int16):
            variant = .quantize(outputZeroPoint: outputQ.zeroPoint, outputMin: qmin, outputMax: qmax, scale: outputQ.scale)
            kernel = "rune_quantize_f32_\(output.type.suffix)"
        case (.int8, .int8), (.int8, .uint8), (.uint8, .int8), (.int8, .int16), (.int16, .int8), (.int16, .int16),
             (.int16, .int32), (.int8, .int32):
            let inputQ = try quantization(op, input)
            let (m, s) = try multiplier(op, Double(inputQ.scale) / Double(outputQ.scale))
            variant = .requantize(outputZeroPoint: outputQ.zeroPoint, outputMin: qmin, outputMax: qmax,
                                  inputZeroPoint: inputQ.zeroPoint, .init(multiplier: m, shift: s))
            kernel = "rune_requantize_\(input.type.suffix)_\(output.type.suffix)"
        default:
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        return .quantize(kernel: kernel, QuantizeParams(size: input.elementCount, variant: variant),
                         input: input.index, output: output.index)
    }

    func dequantize(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        guard input.elementCount == output.elementCount, output.type == .float32,
              [.int8, .uint8, .int16].contains(input.type) else {
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        let inputQ = try quantization(op, input)
        guard !inputQ.isPerChannel else { throw unsupported(op, "with per-channel quantization") }
        let params = QuantizeParams(size: input.elementCount,
                                    variant: .dequantize(scale: Double(inputQ.scale), inputZeroPoint: inputQ.zeroPoint))
        return .quantize(kernel: "rune_dequantize_\(input.type.suffix)", params, input: input.index, output: output.index)
    }
}
