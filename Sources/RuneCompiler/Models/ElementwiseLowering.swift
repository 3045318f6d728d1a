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

    func elementwise(_ op: TFLiteModel.Operator, kind: String) throws(ModelError) -> KernelStep {
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
        func array(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ", ") + "}" }
        var fields = [".dims = \(array(dims))", ".strides1 = \(array(strides1))", ".strides2 = \(array(strides2))"]
        switch a.type {
        case .float32:
            let (low, high) = QuantizationMath.floatRange(activation)
            fields.append(".float_min = \(CLiteral.float(low)), .float_max = \(CLiteral.float(high))")
        case .int8:
            let aQ = try quantization(op, a)
            let bQ = try quantization(op, b)
            let outQ = try quantization(op, output)
            let (low, high) = QuantizationMath.activationRange(activation, scale: outQ.scale, zeroPoint: outQ.zeroPoint,
                                                              min: -128, max: 127)
            fields.append(".input1_offset = \(-aQ.zeroPoint), .input2_offset = \(-bQ.zeroPoint), .output_offset = \(outQ.zeroPoint)")
            fields.append(".activation_min = \(low), .activation_max = \(high)")
            if kind == "mul" {
                let (m, s) = try multiplier(op, Double(aQ.scale) * Double(bQ.scale) / Double(outQ.scale))
                fields.append(".output_multiplier = \(CLiteral.int32(m)), .output_shift = \(s)")
            } else {
                // TFLite Micro computes ADD's scales in double and SUB's in float; both are kept.
                let leftShift = 20
                let m1, m2, mo: (Int32, Int32)
                if kind == "add" {
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
                fields.append(".left_shift = \(leftShift)")
                fields.append(".input1_multiplier = \(CLiteral.int32(m1.0)), .input1_shift = \(m1.1)")
                fields.append(".input2_multiplier = \(CLiteral.int32(m2.0)), .input2_shift = \(m2.1)")
                fields.append(".output_multiplier = \(CLiteral.int32(mo.0)), .output_shift = \(mo.1)")
            }
        default:
            throw unsupported(op, "for \(a.type.name)")
        }
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/elementwise.h"],
            declarations: ["static const rune_elementwise_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};"],
            call: "rune_\(kind)_\(a.type.suffix)(&$P, $T\(a.index), $T\(b.index), $T\(output.index));",
            reads: [a, b].filter { !$0.isConstant }.map(\.index), writes: [output.index],
            constants: [a, b].filter(\.isConstant).map(\.index))
    }
}
