/// What operator lowering needs to know about the model, and the checks it shares.
struct LoweringContext {
    let model: TFLiteModel

    func tensor(_ index: Int) -> TFLiteModel.Tensor { model.tensors[index] }

    /// The operator's input `position`, which must be present.
    func input(_ op: TFLiteModel.Operator, _ position: Int) throws(ModelError) -> TFLiteModel.Tensor {
        guard position < op.inputs.count, op.inputs[position] >= 0 else {
            throw error(op, "has no input \(position)")
        }
        return tensor(op.inputs[position])
    }

    /// An optional input (a bias), or nil when the model omits it.
    func optionalInput(_ op: TFLiteModel.Operator, _ position: Int) -> TFLiteModel.Tensor? {
        guard position < op.inputs.count, op.inputs[position] >= 0 else { return nil }
        return tensor(op.inputs[position])
    }

    func output(_ op: TFLiteModel.Operator, _ position: Int = 0) throws(ModelError) -> TFLiteModel.Tensor {
        guard position < op.outputs.count else { throw error(op, "has no output \(position)") }
        return tensor(op.outputs[position])
    }

    func error(_ op: TFLiteModel.Operator, _ message: String) -> ModelError {
        ModelError("model '\(model.path)': operator \(op.name) (node \(op.index)) \(message)")
    }

    /// An operator or type runec has no kernel for.
    func unsupported(_ op: TFLiteModel.Operator, _ detail: String) -> ModelError {
        ModelError("model '\(model.path)': operator \(op.name) (node \(op.index)) is not supported \(detail); runec supports "
                   + ModelLowering.supportedSummary)
    }

    func constant(_ op: TFLiteModel.Operator, _ tensor: TFLiteModel.Tensor, _ role: String) throws(ModelError) {
        guard tensor.isConstant else { throw unsupported(op, "with a non-constant \(role)") }
    }

    func quantization(_ op: TFLiteModel.Operator, _ tensor: TFLiteModel.Tensor) throws(ModelError) -> TFLiteModel.Quantization {
        guard let quantization = tensor.quantization else {
            throw error(op, "has a \(tensor.type.name) tensor '\(tensor.name)' without quantization parameters")
        }
        return quantization
    }

    /// A real multiplier (a ratio of quantization scales) in the kernels' fixed-point form, or
    /// an error when the kernels cannot apply it.
    func multiplier(_ op: TFLiteModel.Operator, _ value: Double) throws(ModelError) -> (multiplier: Int32, shift: Int32) {
        guard QuantizationMath.isRepresentable(value) else {
            throw error(op, "has quantization scales whose ratio (\(value)) the fixed-point kernels cannot represent")
        }
        return QuantizationMath.quantizeMultiplier(value)
    }

    /// `a * b`, or an error naming the operator when the product of model-provided sizes
    /// overflows.
    func product(_ op: TFLiteModel.Operator, _ factors: Int...) throws(ModelError) -> Int {
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw error(op, "has implausibly large shapes") }
            result = value
        }
        return result
    }

    /// The shape padded with leading 1s to `rank` dimensions.
    func shape(_ tensor: TFLiteModel.Tensor, rank: Int) -> [Int] {
        Array(repeating: 1, count: max(0, rank - tensor.shape.count)) + tensor.shape.suffix(rank)
    }

    /// Constant int32 (or int64) values, such as a RESHAPE's shape or a PAD's paddings.
    func integers(_ tensor: TFLiteModel.Tensor) -> [Int]? {
        guard let data = tensor.data else { return nil }
        let bytes = Array(data)
        switch tensor.type {
        case .int32:
            return stride(from: 0, to: tensor.elementCount * 4, by: 4).map {
                Int(Int32(bitPattern: UInt32(bytes[$0]) | UInt32(bytes[$0 + 1]) << 8 | UInt32(bytes[$0 + 2]) << 16 | UInt32(bytes[$0 + 3]) << 24))
            }
        case .int64:
            return stride(from: 0, to: tensor.elementCount * 8, by: 8).map { start in
                var value: UInt64 = 0
                for byte in 0..<8 { value |= UInt64(bytes[start + byte]) << (8 * UInt64(byte)) }
                return Int(Int64(bitPattern: value))
            }
        default:
            return nil
        }
    }

    /// `int8 [1,49,40,1]`.
    func describe(_ tensor: TFLiteModel.Tensor) -> String {
        "\(tensor.type.name.lowercased()) [\(tensor.shape.map(String.init).joined(separator: ","))]"
    }

    /// `node 3: CONV_2D int8 [1,49,40,1], int8 [8,10,8,1] -> int8 [1,25,20,8]`.
    func comment(_ op: TFLiteModel.Operator) -> String {
        let inputs = op.inputs.filter { $0 >= 0 }.map { describe(tensor($0)) }.joined(separator: ", ")
        let outputs = op.outputs.map { describe(tensor($0)) }.joined(separator: ", ")
        return "node \(op.index): \(op.name) \(inputs) -> \(outputs)"
    }
}

extension TFLiteModel.TensorType {
    /// The C element type of the tensor's values.
    var cType: String? {
        switch self {
        case .float32: "float"
        case .float64: "double"
        case .int8: "int8_t"
        case .uint8: "uint8_t"
        case .int16: "int16_t"
        case .uint16: "uint16_t"
        case .int32: "int32_t"
        case .uint32: "uint32_t"
        case .int64: "int64_t"
        case .uint64: "uint64_t"
        case .bool: "uint8_t"
        default: nil
        }
    }

    /// Kernel name suffix: f32, s8, u8, s16, s32.
    var suffix: String {
        switch self {
        case .float32: "f32"
        case .int8: "s8"
        case .uint8: "u8"
        case .int16: "s16"
        case .int32: "s32"
        default: name.lowercased()
        }
    }

    var integerRange: (Int32, Int32) {
        switch self {
        case .int8: (-128, 127)
        case .uint8: (0, 255)
        case .int16: (-32768, 32767)
        default: (Int32.min, Int32.max)
        }
    }
}
