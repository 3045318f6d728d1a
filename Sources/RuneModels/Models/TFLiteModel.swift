import RuneManifest

/// A TFLite model read from its flatbuffer: the first subgraph's tensors and operators, with
/// weights as views into the file's bytes.
struct TFLiteModel: Sendable {
    /// TFLite's tensor element types (schema `TensorType`).
    enum TensorType: Int8, CaseIterable {
        case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7
        case complex64 = 8, int8 = 9, float64 = 10, complex128 = 11, uint64 = 12, resource = 13, variant = 14
        case uint32 = 15, uint16 = 16, int4 = 17, bfloat16 = 18

        var name: String { String(describing: self).uppercased() }

        var byteWidth: Int {
            switch self {
            case .bool, .uint8, .int8, .int4: 1
            case .float16, .int16, .uint16, .bfloat16: 2
            case .float32, .int32, .uint32: 4
            case .int64, .uint64, .float64, .complex64: 8
            case .complex128: 16
            case .string, .resource, .variant: 1
            }
        }

        /// Integer types, whose quantization parameters kernels read.
        var isQuantizable: Bool {
            switch self {
            case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .int4: true
            default: false
            }
        }

        /// Zero points a tensor of this type may have: its own range for narrow types, and a
        /// negatable `Int32` for the rest (kernels compute `-zero_point` in 32 bits).
        var zeroPointRange: ClosedRange<Int64> {
            switch self {
            case .int8: -128...127
            case .uint8: 0...255
            case .int16: -32768...32767
            case .uint16: 0...65535
            case .int4: -8...7
            default: Int64(-Int32.max)...Int64(Int32.max)
            }
        }

        /// The Rune element type of the same values, for tensors a pipeline can carry.
        var elementType: ElementType? {
            switch self {
            case .float32: .f32
            case .float64: .f64
            case .int8: .i8
            case .uint8: .u8
            case .int16: .i16
            case .uint16: .u16
            case .int32: .i32
            case .uint32: .u32
            case .int64: .i64
            case .uint64: .u64
            default: nil
            }
        }
    }

    struct Quantization: Equatable {
        var scales: [Float]
        var zeroPoints: [Int64]
        var quantizedDimension: Int

        var scale: Float { scales.first ?? 0 }
        var zeroPoint: Int32 { Int32(truncatingIfNeeded: zeroPoints.first ?? 0) }
        var isPerChannel: Bool { scales.count > 1 }

        /// Why these parameters cannot describe a tensor of `type` and `shape`, or nil when they
        /// can: every scale finite, positive, normal and within `RuneLimits.quantizationScales`
        /// (so products and quotients of scales stay finite in the fixed-point set-up), every
        /// zero point within the type's range, and per-channel parameters one per channel of
        /// the quantized dimension.
        func problem(type: TensorType, shape: [Int]) -> String? {
            for (channel, scale) in scales.enumerated()
            where !(scale.isFinite && scale.isNormal && RuneLimits.quantizationScales.contains(scale)) {
                let which = scales.count == 1 ? "" : " of channel \(channel)"
                return "has the quantization scale \(scale)\(which); scales must be finite and within "
                    + "\(RuneLimits.quantizationScales.lowerBound)...\(RuneLimits.quantizationScales.upperBound)"
            }
            guard zeroPoints.count == scales.count else {
                return "has \(scales.count) quantization scale\(scales.count == 1 ? "" : "s") but \(zeroPoints.count) zero point\(zeroPoints.count == 1 ? "" : "s")"
            }
            let range = type.zeroPointRange
            if let bad = zeroPoints.first(where: { !range.contains($0) }) {
                return "has the zero point \(bad), outside \(range.lowerBound)...\(range.upperBound) for \(type.name)"
            }
            if scales.count > 1 {
                // Converters write biases with the filter's quantized dimension, which may lie
                // outside the bias's own shape: then any dimension of the right size will do
                // (kernels check the count against the channels they use).
                let inRange = quantizedDimension >= 0 && quantizedDimension < shape.count
                guard inRange ? shape[quantizedDimension] == scales.count : shape.contains(scales.count) else {
                    return "has \(scales.count) per-channel scales for shape \(shape) (quantized dimension \(quantizedDimension))"
                }
            }
            return nil
        }
    }

    struct Tensor {
        var index: Int
        var name: String
        var type: TensorType
        var shape: [Int]
        /// Constant data (weights), when the tensor has any.
        var data: ArraySlice<UInt8>?
        var quantization: Quantization?
        var isVariable: Bool

        var elementCount: Int { shape.reduce(1, *) }
        var byteCount: Int { elementCount * type.byteWidth }
        var isConstant: Bool { data != nil }
    }

    struct Operator {
        var index: Int
        var code: Int32
        var customCode: String?
        var version: Int32
        /// Tensor indices; -1 marks an omitted optional input.
        var inputs: [Int]
        var outputs: [Int]
        var intermediates: [Int]
        var options: FlatTable?

        var name: String { BuiltinOperator.name(code, custom: customCode) }
    }

    let path: String
    let version: UInt32
    let description: String
    let tensors: [Tensor]
    let operators: [Operator]
    let inputs: [Int]
    let outputs: [Int]
    let subgraphCount: Int

    /// Reads and validates `bytes`; `path` names the model in errors.
    init(bytes: [UInt8], path: String) throws(ModelError) {
        self.path = path
        let buffer = FlatBuffer(bytes)
        do throws(FlatBuffer.Failure) {
            guard bytes.count >= 8 else { throw FlatBuffer.Failure(offset: 0, message: "the file is only \(bytes.count) bytes long") }
            if bytes[4..<8] != Array("TFL3".utf8)[...] {
                // The identifier is optional in FlatBuffers, but every TFLite converter writes it.
                throw FlatBuffer.Failure(offset: 4, message: "the file has no TFL3 identifier (is it a .tflite model?)")
            }
            let model = try buffer.root()
            version = try model.uint32(0)
            description = try model.string(3) ?? ""
            let buffers = try model.tables(4)
            var codes: [(code: Int32, custom: String?, version: Int32)] = []
            for code in try model.tables(1) {
                let deprecated = Int32(try code.int8(0))
                let builtin = try code.int32(3)
                codes.append((max(deprecated, builtin), try code.string(1), try code.int32(2, default: 1)))
            }
            let subgraphs = try model.tables(2)
            subgraphCount = subgraphs.count
            guard let graph = subgraphs.first else {
                throw FlatBuffer.Failure(offset: model.position, message: "the model has no subgraph")
            }
            var tensors: [Tensor] = []
            for (index, table) in try graph.tables(0).enumerated() {
                let rawType = try table.int8(1)
                guard let type = TensorType(rawValue: rawType) else {
                    throw FlatBuffer.Failure(offset: table.position, message: "tensor \(index) has the unknown type \(rawType)")
                }
                let shape = (try table.int32s(0) ?? []).map(Int.init)
                guard shape.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }),
                      shape.reduce(1, { $0 &* max($1, 1) }) <= 1 << 28 else {
                    throw FlatBuffer.Failure(offset: table.position, message: "tensor \(index) has an implausible shape \(shape)")
                }
                var data: ArraySlice<UInt8>?
                let bufferIndex = Int(try table.uint32(2))
                if bufferIndex > 0 {
                    guard bufferIndex < buffers.count else {
                        throw FlatBuffer.Failure(offset: table.position, message: "tensor \(index) refers to buffer \(bufferIndex) of \(buffers.count)")
                    }
                    if try buffers[bufferIndex].uint64(1) != 0 {
                        throw FlatBuffer.Failure(offset: buffers[bufferIndex].position, message: "buffer \(bufferIndex) is stored outside the flatbuffer, which runec does not read")
                    }
                    if let bytes = try buffers[bufferIndex].bytes(0), !bytes.isEmpty { data = bytes }
                }
                let name = try table.string(3) ?? "tensor\(index)"
                var quantization: Quantization?
                if let q = try table.table(4), let scales = try q.floats(2), !scales.isEmpty {
                    let zeroPoints = try q.int64s(3) ?? Array(repeating: 0, count: scales.count)
                    let candidate = Quantization(scales: scales, zeroPoints: zeroPoints, quantizedDimension: Int(try q.int32(6)))
                    // Floating-point tensors are never read quantized; their parameters are ignored.
                    if type.isQuantizable {
                        if let problem = candidate.problem(type: type, shape: shape) {
                            throw FlatBuffer.Failure(offset: q.position, message: "tensor \(index) ('\(name)') \(problem)")
                        }
                        quantization = candidate
                    }
                }
                let tensor = Tensor(index: index, name: name, type: type, shape: shape,
                                    data: data, quantization: quantization, isVariable: try table.bool(5))
                if let data, data.count < tensor.byteCount {
                    throw FlatBuffer.Failure(offset: table.position, message: "tensor \(index) ('\(tensor.name)') holds \(data.count) bytes of data but its shape needs \(tensor.byteCount)")
                }
                tensors.append(tensor)
            }
            func checkIndices(_ indices: [Int32], _ what: String, allowOmitted: Bool = false) throws(FlatBuffer.Failure) -> [Int] {
                try indices.map { (index: Int32) throws(FlatBuffer.Failure) -> Int in
                    if allowOmitted, index == -1 { return -1 }
                    guard index >= 0, Int(index) < tensors.count else {
                        throw FlatBuffer.Failure(offset: graph.position, message: "\(what) refers to tensor \(index) of \(tensors.count)")
                    }
                    return Int(index)
                }
            }
            inputs = try checkIndices(try graph.int32s(1) ?? [], "the subgraph's inputs")
            outputs = try checkIndices(try graph.int32s(2) ?? [], "the subgraph's outputs")
            var operators: [Operator] = []
            for (index, table) in try graph.tables(3).enumerated() {
                let opcode = Int(try table.uint32(0))
                guard opcode < codes.count else {
                    throw FlatBuffer.Failure(offset: table.position, message: "operator \(index) uses operator code \(opcode) of \(codes.count)")
                }
                let code = codes[opcode]
                operators.append(Operator(
                    index: index, code: code.code, customCode: code.custom, version: code.version,
                    inputs: try checkIndices(try table.int32s(1) ?? [], "operator \(index)'s inputs", allowOmitted: true),
                    outputs: try checkIndices(try table.int32s(2) ?? [], "operator \(index)'s outputs"),
                    intermediates: try checkIndices(try table.int32s(8) ?? [], "operator \(index)'s intermediates"),
                    options: try table.table(4)))
            }
            self.tensors = tensors
            self.operators = operators
        } catch {
            throw ModelError("model '\(path)' is malformed: \(error.message)")
        }
    }
}
