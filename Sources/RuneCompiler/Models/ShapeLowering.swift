import Foundation

/// PAD, CONCATENATION and MEAN.
extension LoweringContext {
    func pad(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelStep {
        let input = try self.input(op, 0)
        let paddings = try self.input(op, 1)
        let output = try self.output(op)
        guard let values = integers(paddings), values.count == 2 * input.shape.count, input.shape.count <= 5 else {
            throw unsupported(op, "with paddings that are not constant, or more than 5 dimensions")
        }
        guard input.type == output.type, let cType = input.type.cType else { throw unsupported(op, "for \(input.type.name)") }
        let rank = input.shape.count
        let lead = 5 - rank
        var dims = Array(repeating: 1, count: 5)
        var before = Array(repeating: 0, count: 5)
        var after = Array(repeating: 0, count: 5)
        for d in 0..<rank {
            dims[lead + d] = input.shape[d]
            before[lead + d] = values[2 * d]
            after[lead + d] = values[2 * d + 1]
            // The paddings come from the file: compare before adding, so huge ones cannot overflow.
            guard values[2 * d] >= 0, values[2 * d + 1] >= 0,
                  values[2 * d] <= output.shape[d], values[2 * d + 1] <= output.shape[d],
                  output.shape[d] == input.shape[d] + values[2 * d] + values[2 * d + 1] else {
                throw error(op, "has paddings \(values) inconsistent with \(input.shape) -> \(output.shape)")
            }
        }
        // The pad value: an explicit PADV2 constant, or zero (the zero point when quantized).
        var padValue = "0"
        if let constant = optionalInput(op, 2), let data = constant.data, !data.isEmpty {
            switch input.type {
            case .float32:
                let bits = data.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                padValue = CLiteral.float(Float(bitPattern: bits))
            case .int8: padValue = String(Int8(bitPattern: data.first!))
            case .uint8: padValue = String(data.first!)
            default: throw unsupported(op, "with a \(input.type.name) pad value")
            }
        } else if input.type == .int8 || input.type == .uint8 {
            padValue = String(try quantization(op, output).zeroPoint)
        }
        func array(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ", ") + "}" }
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/shape_ops.h"],
            declarations: [
                "static const rune_pad_params $P = {.input_dims = \(array(dims)), .before = \(array(before)), .after = \(array(after)), .element_size = \(input.type.byteWidth)};",
                "static const \(cType) $P_value = \(padValue);",
            ],
            call: "rune_pad(&$P, $T\(input.index), &$P_value, $T\(output.index));",
            reads: [input.index], writes: [output.index], constants: [])
    }

    func concatenation(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelStep {
        let output = try self.output(op)
        let inputs = op.inputs.filter { $0 >= 0 }.map { tensor($0) }
        let axisValue: Int32
        let activation: FusedActivation
        do {
            axisValue = try op.options?.int32(0) ?? 0
            activation = try op.options.activation(1)
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard activation == .none else { throw unsupported(op, "with a fused activation") }
        let rank = output.shape.count
        let axis = axisValue < 0 ? Int(axisValue) + rank : Int(axisValue)
        guard axis >= 0, axis < rank else { throw error(op, "has axis \(axisValue) for rank \(rank)") }
        for input in inputs {
            guard input.type == output.type, input.shape.count == rank else {
                throw unsupported(op, "mixing \(input.type.name) \(input.shape) into \(output.type.name) \(output.shape)")
            }
            if input.type != .float32, input.quantization != output.quantization {
                throw unsupported(op, "with inputs quantized differently from the output")
            }
        }
        let outer = output.shape[..<axis].reduce(1, *)
        let slices = inputs.map { $0.shape[axis...].reduce(1, *) * $0.type.byteWidth }
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/shape_ops.h"],
            declarations: ["static const int32_t $P_slices[\(slices.count)] = {\(slices.map(String.init).joined(separator: ", "))};"],
            call: "{ const void *const parts[\(inputs.count)] = {\(inputs.map { "$T\($0.index)" }.joined(separator: ", "))}; rune_concatenate(\(outer), \(inputs.count), parts, $P_slices, $T\(output.index)); }",
            reads: inputs.filter { !$0.isConstant }.map(\.index), writes: [output.index],
            constants: inputs.filter(\.isConstant).map(\.index))
    }

    func mean(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelStep {
        let input = try self.input(op, 0)
        let axes = try self.input(op, 1)
        let output = try self.output(op)
        guard let values = integers(axes), input.shape.count <= 6 else {
            throw unsupported(op, "with non-constant axes or more than 6 dimensions")
        }
        let rank = input.shape.count
        var reduced = Array(repeating: 0, count: 6)
        let lead = 6 - rank
        for value in values {
            let axis = value < 0 ? value + rank : value
            guard axis >= 0, axis < rank else { throw error(op, "has axis \(value) for rank \(rank)") }
            reduced[lead + axis] = 1
        }
        let dims = shape(input, rank: 6)
        let count = zip(dims, reduced).filter { $0.1 == 1 }.map(\.0).reduce(1, *)
        guard count > 0, output.elementCount * count == input.elementCount else {
            throw error(op, "has output \(output.shape) inconsistent with input \(input.shape) and axes \(values)")
        }
        func array(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ", ") + "}" }
        var fields = [".dims = \(array(dims))", ".reduced = \(array(reduced))", ".count = \(count), .output_size = \(output.elementCount)"]
        var scratch = 0
        switch (input.type, output.type) {
        case (.float32, .float32):
            break
        case (.int8, .int8):
            let inputQ = try quantization(op, input)
            let outputQ = try quantization(op, output)
            var (multiplier, shift) = try multiplier(op, Double(inputQ.scale) / Double(outputQ.scale))
            // The division by the count folded into the multiplier, as TFLite Micro does.
            var bits = Int32(63 - UInt64(count).leadingZeroBitCount)
            bits = min(bits, 32)
            bits = min(bits, 31 + shift)
            multiplier = Int32(truncatingIfNeeded: (Int64(multiplier) << Int64(bits)) / Int64(count))
            shift -= bits
            fields.append(".input_zero_point = \(inputQ.zeroPoint), .output_zero_point = \(outputQ.zeroPoint)")
            fields.append(".multiplier = \(CLiteral.int32(multiplier)), .shift = \(shift)")
            scratch = 4 * output.elementCount
        default:
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        let scratchArgument = scratch > 0 ? ", (int32_t *)$S" : ""
        return KernelStep(
            node: op.index, comment: comment(op), includes: ["kernels/mean.h"],
            declarations: ["static const rune_mean_params $P = {\n    " + fields.joined(separator: ",\n    ") + ",\n};"],
            call: "rune_mean_\(input.type.suffix)(&$P, $T\(input.index), $T\(output.index)\(scratchArgument));",
            reads: [input.index], writes: [output.index], constants: [], scratchBytes: scratch)
    }
}
