import RuneManifest

/// Compiles TFLite models ahead of time into C kernel calls over a static arena.
public struct TFLiteModelCompiler: ModelCompiling {
    public init() {}

    public func signature(of bytes: [UInt8], path: String) throws -> (inputs: [TensorType], outputs: [TensorType]) {
        let model = try TFLiteModel(bytes: bytes, path: path)
        func types(_ indices: [Int]) throws -> [TensorType] {
            try indices.map { index in
                let tensor = model.tensors[index]
                guard let element = tensor.type.elementType else {
                    throw ModelError("model '\(path)': tensor '\(tensor.name)' has type \(tensor.type.name), which a pipeline cannot carry")
                }
                return TensorType(element, tensor.shape)
            }
        }
        // Lowering now reports unsupported operators where the Runefile names the model.
        _ = try ModelLowering(model: model).lower()
        return (try types(model.inputs), try types(model.outputs))
    }

    public func compile(bytes: [UInt8], path: String, symbol: String) throws -> ModelCode {
        let model = try TFLiteModel(bytes: bytes, path: path)
        let lowered = try ModelLowering(model: model).lower()
        let (includes, definitions) = ModelCEmitter(lowered: lowered, symbol: symbol).emit()
        return ModelCode(includes: includes, definitions: definitions, weightBytes: lowered.weightBytes,
                         arenaBytes: lowered.arenaBytes)
    }
}
