/// ADD, SUB and MUL, with broadcasting.
extension LoweringContext {
    /// The output's dimensions and each input's strides over them, padded to 6 dimensions;
    /// a broadcast dimension has stride 0.
    func broadcast(_ op: TFLiteModel.Operator, _ a: TFLiteModel.Tensor, _ b: TFLiteModel.Tensor,
                   output: TFLiteModel.Tensor) throws(ModelError) -> (dims: [Int], strides1: [Int], strides2: [Int]) {
        guard output.shape.count <= 6, a.shape.count <= output.shape.count, b.shape.count <= output.shape.count else {
            throw unsupported(op, "with more than 6 dimensions")
        }
        let dims = shape(output, rank: 6)
        func strides(_ tensor: TFLiteModel.Tensor) throws(ModelError) -> [Int] {
            let shape = self.shape(tensor, rank: 6)
            var result = Array(repeating: 0, count: 6)
            var step = 1
            for d in (0..<6).reversed() {
                if shape[d] == dims[d] {
                    result[d] = shape[d] == 1 ? 0 : step
                } else if shape[d] == 1 {
                    result[d] = 0
                } else {
                    throw error(op, "cannot broadcast \(tensor.shape) to \(output.shape)")
                }
                step *= shape[d]
            }
            return result
        }
        return (dims, try strides(a), try strides(b))
    }

    enum ElementwiseKind: String { case add, sub, mul }

    func elementwise(_ op: TFLiteModel.Operator, kind: ElementwiseKind) throws(ModelError) -> KernelCall {
        let a = try input(op, 0)
        let b = try input(op, 1)
        let output = try self.output(op)
        let activation: FusedActivation
        do {
            activation = try op.options.activation(0)
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard a.type == b.type, a.type == output.type else {
            throw unsupported(op, "for \(a.type.name) and \(b.type.name) inputs to \(output.type.name)")
        }
        let (dims, strides1, strides2) = try broadcast(op, a, b, output: output)
        let range: OutputRange
        var quantized: ElementwiseParams.Quantized?
        switch a.type {
        case .float32:
            let (low, high) = QuantizationMath.floatRange(activation)
            range = .float(min: low, max: high)
        case .int8:
            let aQ = try quantization(op, a)
            let bQ = try quantization(op, b)
            let outQ = try quantization(op, output)
            let (low, high) = QuantizationMath.activationRange(activation, scale: outQ.scale, zeroPoint: outQ.zeroPoint,
                                                              min: -128, max: 127)
            range = .integer(min: low, max: high)
            let scaling: ElementwiseParams.Scaling
            if kind == .mul {
                let (m, s) = try multiplier(op, Double(aQ.scale) * Double(bQ.scale) / Double(outQ.scale))
                scaling = .product(.init(multiplier: m, shift: s))
            } else {
                // TFLite Micro computes ADD's scales in double and SUB's in float; both are kept.
                let leftShift = 20
                let m1, m2, mo: (Int32, Int32)
                if kind == .add {
                    let twiceMax = 2 * Double(max(aQ.scale, bQ.scale))
                    m1 = try multiplier(op, Double(aQ.scale) / twiceMax)
                    m2 = try multiplier(op, Double(bQ.scale) / twiceMax)
                    mo = try multiplier(op, twiceMax / (Double(1 << leftShift) * Double(outQ.scale)))
                } else {
                    let twiceMax: Float = 2 * max(aQ.scale, bQ.scale)
                    m1 = try multiplier(op, Double(aQ.scale / twiceMax))
                    m2 = try multiplier(op, Double(bQ.scale / twiceMax))
                    mo = try multiplier(op, Double(twiceMax / (Float(1 << leftShift) * outQ.scale)))
                }
                scaling = .sum(leftShift: leftShift, input1: .init(multiplier: m1.0, shift: m1.1),
                               input2: .init(multiplier: m2.0, shift: m2.1), output: .init(multiplier: mo.0, shift: mo.1))
            }
            quantized = .init(input1Offset: -aQ.zeroPoint, input2Offset: -bQ.zeroPoint, outputOffset: outQ.zeroPoint,
                              scaling: scaling)
        default:
            throw unsupported(op, "for \(a.type.name)")
        }
        let params = ElementwiseParams(dims: dims, strides1: strides1, strides2: strides2, range: range, quantized: quantized)
        return .elementwise(kernel: "rune_\(kind.rawValue)_\(a.type.suffix)", params, input1: a.index, input2: b.index,
                            output: output.index)
    }
}
