/// SVDF with int8 input: a state tensor that persists from call to call.
extension LoweringContext {
    func svdf(_ op: TFLiteModel.Operator) throws(ModelError) -> KernelCall {
        let input = try self.input(op, 0)
        let feature = try self.input(op, 1)
        let time = try self.input(op, 2)
        let bias = optionalInput(op, 3)
        let state = try self.input(op, 4)
        let output = try self.output(op)
        let rank: Int
        do {
            rank = Int(try op.options?.int32(0) ?? 1)
        } catch {
            throw self.error(op, "has malformed options: \(error.message)")
        }
        guard input.type == .int8, feature.type == .int8, output.type == .int8,
              time.type == state.type, time.type == .int8 || time.type == .int16 else {
            throw unsupported(op, "for \(input.type.name) input with \(state.type.name) state (runec supports int8 SVDF)")
        }
        try constant(op, feature, "feature weights")
        try constant(op, time, "time weights")
        if let bias { try constant(op, bias, "bias") }
        guard state.isVariable else { throw error(op, "has a state tensor that is not a variable") }
        guard input.shape.count == 2, feature.shape.count == 2, time.shape.count == 2, rank > 0 else {
            throw unsupported(op, "with these shapes")
        }
        let (batches, inputSize) = (input.shape[0], input.shape[1])
        let filters = feature.shape[0]
        let memory = time.shape[1]
        guard filters % rank == 0, feature.shape[1] == inputSize, time.shape[0] == filters,
              state.elementCount == (try product(op, batches, filters, memory)) else {
            throw error(op, "has inconsistent shapes")
        }
        let inputQ = try quantization(op, input)
        let featureQ = try quantization(op, feature)
        let timeQ = try quantization(op, time)
        let stateQ = try quantization(op, state)
        let outputQ = try quantization(op, output)
        let (m1, s1) = try multiplier(op, Double(inputQ.scale * featureQ.scale / stateQ.scale))
        let (m2, s2) = try multiplier(op, Double(stateQ.scale * timeQ.scale / outputQ.scale))
        let (stateMin, stateMax) = state.type.integerRange
        var params = SVDFParams(batches: batches, inputSize: inputSize, filters: filters, rank: rank,
                                units: filters / rank, memory: memory, inputZeroPoint: inputQ.zeroPoint,
                                stateZeroPoint: stateQ.zeroPoint, outputZeroPoint: outputQ.zeroPoint,
                                scaling1: .init(multiplier: m1, shift: s1), scaling2: .init(multiplier: m2, shift: s2),
                                stateMin: stateMin, stateMax: stateMax)
        if time.type == .int8, let featureData = feature.data, let timeData = time.data {
            params.offsetSums = Self.offsetSums(featureData, rows: filters, columns: inputSize, offset: 0 &- inputQ.zeroPoint)
                + Self.offsetSums(timeData, rows: filters, columns: memory, offset: 0 &- stateQ.zeroPoint)
        }
        // The feature-weights products, then the per-unit sums (int32 each).
        return .svdf(kernel: "rune_svdf_\(state.type.suffix)", params, input: input.index, feature: feature.index,
                     time: time.index, bias: bias?.index, state: state.index, output: output.index,
                     scratchBytes: 4 * (batches * filters + batches * (filters / rank)))
    }

    /// offset x the sum of each row of an int8 `[rows][columns]` matrix, in wrapping int32
    /// arithmetic. The model reader has checked that `data` holds rows x columns bytes.
    static func offsetSums(_ data: ArraySlice<UInt8>, rows: Int, columns: Int, offset: Int32) -> [Int32] {
        let bytes = Array(data)
        return (0..<rows).map { row in
            var sum: Int32 = 0
            for column in 0..<columns { sum = sum &+ Int32(Int8(bitPattern: bytes[row * columns + column])) }
            return offset &* sum
        }
    }
}
