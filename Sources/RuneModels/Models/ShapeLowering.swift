import Foundation

/// PAD, CONCATENATION and MEAN.
extension LoweringContext {
    func pad(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let paddings = try self.input(op, 1)
        let output = try self.output(op)
        guard let values = integers(paddings), values.count == 2 * input.shape.count, input.shape.count <= 5 else {
            throw unsupported(op, "with paddings that are not constant, or more than 5 dimensions")
        }
        guard input.type == output.type, input.type.cType != nil else { throw unsupported(op, "for \(input.type.name)") }
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
        // The pad value: PADV2's constant third input, or zero (the zero point when quantized) for
        // PAD. A PADV2 value computed at run time is refused rather than replaced by zero.
        let padValue: ElementValue
        if let constant = optionalInput(op, 2) {
            guard let data = constant.data, constant.type == input.type, constant.elementCount == 1,
                  data.count >= input.type.byteWidth else {
                throw unsupported(op, "with a pad value that is not one constant \(input.type.name)")
            }
            switch input.type {
            case .float32:
                let bits = data.prefix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                padValue = .float(Float(bitPattern: bits))
            case .int8: padValue = .integer(Int(Int8(bitPattern: data[data.startIndex])))
            case .uint8: padValue = .integer(Int(data[data.startIndex]))
            default: throw unsupported(op, "with a \(input.type.name) pad value")
            }
        } else if input.type == .int8 || input.type == .uint8 {
            padValue = .integer(Int(try quantization(op, output).zeroPoint))
        } else if input.type == .float32 {
            padValue = .float(0)
        } else {
            padValue = .integer(0)
        }
        let params = PadParams(inputDims: dims, before: before, after: after, elementSize: input.type.byteWidth)
        return .pad(params, value: padValue, input: input.index, output: output.index)
    }

    func concatenation(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
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
        return .concatenation(outer: outer, sliceBytes: slices, inputs: inputs.map(\.index), output: output.index)
    }

    func mean(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
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
        var quantized: MeanParams.Quantized?
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
            quantized = .init(inputZeroPoint: inputQ.zeroPoint, outputZeroPoint: outputQ.zeroPoint,
                              scaling: .init(multiplier: multiplier, shift: shift))
            // One int32 sum per output element.
            scratch = 4 * output.elementCount
        default:
            throw unsupported(op, "from \(input.type.name) to \(output.type.name)")
        }
        let params = MeanParams(dims: dims, reduced: reduced, count: count, outputSize: output.elementCount, quantized: quantized)
        return .mean(kernel: "rune_mean_\(input.type.suffix)", params, input: input.index, output: output.index, scratchBytes: scratch)
    }
}
