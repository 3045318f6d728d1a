import Foundation

/// SOFTMAX, RELU, RELU6, RELU_N1_TO_1, LOGISTIC and TANH.
extension LoweringContext {
    func softmax(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        let beta: Float
        do {
            beta = try op.options?.float(0) ?? 1
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard beta.isFinite, beta > 0 else { throw error(op, "has the softmax beta \(beta); it must be finite and positive") }
        guard let depth = input.shape.last, depth > 0, input.elementCount == output.elementCount else {
            throw error(op, "has mismatched input \(input.shape) and output \(output.shape)")
        }
        var quantized: SoftmaxParams.Quantized?
        let kernel: String
        switch (input.type, output.type) {
        case (.float32, .float32):
            kernel = "rune_softmax_f32"
        case (.int8, .int8), (.int8, .int16), (.uint8, .uint8):
            let inputQ = try quantization(op, input)
            let realMultiplier = min(Double(beta) * Double(inputQ.scale) * Double(1 << 26), Double(Int64(1) << 31) - 1.0)
            let (multiplier, shift) = try multiplier(op, realMultiplier)
            let diffMin = -Int32(QuantizationMath.inputRadius(integerBits: 5, leftShift: Int(shift)))
            quantized = .init(input: .init(multiplier: multiplier, shift: shift), diffMin: diffMin)
            kernel = output.type == .int16 ? "rune_softmax_s8_s16" : "rune_softmax_\(input.type.suffix)"
        default:
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        let params = SoftmaxParams(outerSize: input.elementCount / depth, depth: depth, beta: beta, quantized: quantized)
        return .softmax(kernel: kernel, params, input: input.index, output: output.index)
    }

    /// RELU, RELU6 and RELU_N1_TO_1.
    func relu(_ op: TFLiteModel.Operator, low: Float, high: Float) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        guard input.type == output.type, input.elementCount == output.elementCount else {
            throw error(op, "has mismatched input and output")
        }
        let variant: ActivationParams.Variant
        let kernel: String
        switch input.type {
        case .float32:
            variant = .clamp(.float(min: low, max: high))
            kernel = "rune_clamp_f32_array"
        case .int8 where op.code == BuiltinOperator.relu:
            let inputQ = try quantization(op, input)
            let outputQ = try quantization(op, output)
            let (multiplier, shift) = try multiplier(op, Double(inputQ.scale / outputQ.scale))
            let minimum = max(-128, QuantizationMath.quantize(0, scale: outputQ.scale, zeroPoint: outputQ.zeroPoint))
            variant = .relu(inputOffset: inputQ.zeroPoint, outputOffset: outputQ.zeroPoint,
                            .init(multiplier: multiplier, shift: shift), .integer(min: minimum, max: 127))
            kernel = "rune_relu_s8"
        case .int8 where op.code == BuiltinOperator.relu6:
            let inputQ = try quantization(op, input)
            let six = min(127, max(-128, QuantizationMath.quantize(6, scale: inputQ.scale, zeroPoint: inputQ.zeroPoint)))
            variant = .clamp(.integer(min: inputQ.zeroPoint, max: six))
            kernel = "rune_clamp_s8_array"
        default:
            throw unsupported(op, "for \(input.type.name)")
        }
        return .activation(kernel: kernel, ActivationParams(size: input.elementCount, variant: variant),
                           input: input.index, output: output.index)
    }

    /// LOGISTIC and TANH.
    func sigmoidLike(_ op: TFLiteModel.Operator, tanh: Bool) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let output = try self.output(op)
        guard input.type == output.type, input.elementCount == output.elementCount else {
            throw error(op, "has mismatched input and output")
        }
        let variant: ActivationParams.Variant
        let name = tanh ? "tanh" : "logistic"
        switch input.type {
        case .float32:
            variant = .plain
        case .int8:
            let inputQ = try quantization(op, input)
            let outputQ = try quantization(op, output)
            let expectedZero: Int32 = tanh ? 0 : -128
            let expectedScale: Float = tanh ? 1.0 / 128 : 1.0 / 256
            guard outputQ.zeroPoint == expectedZero, abs(outputQ.scale - expectedScale) < expectedScale * 1e-3 else {
                throw unsupported(op, "with output quantization scale \(outputQ.scale) and zero point \(outputQ.zeroPoint) (expected \(expectedScale) and \(expectedZero))")
            }
            let real = Double(inputQ.scale) * Double(1 << 27)
            guard QuantizationMath.isRepresentable(real), real > 0 else {
                throw error(op, "has the input scale \(inputQ.scale), too large for the fixed-point kernel")
            }
            let (fraction, exponent) = frexp(real)
            let multiplier = Int32(clamping: Int64((fraction * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero)))
            let radius = QuantizationMath.inputRadius(integerBits: 4, leftShift: exponent)
            variant = .sigmoid(inputZeroPoint: inputQ.zeroPoint, inputRangeRadius: radius,
                               input: .init(multiplier: multiplier, shift: Int32(exponent)))
        default:
            throw unsupported(op, "for \(input.type.name)")
        }
        return .activation(kernel: "rune_\(name)_\(input.type.suffix)", ActivationParams(size: input.elementCount, variant: variant),
                           input: input.index, output: output.index)
    }
}
