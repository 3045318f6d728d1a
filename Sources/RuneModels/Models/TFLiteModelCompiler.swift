import RuneManifest

/// Compiles TFLite models ahead of time into C kernel calls over a static arena.
public struct TFLiteModelCompiler: ModelCompiling {
    public init() {}

    public func read(_ bytes: [UInt8], path: String) throws -> CheckedModel {
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
        let inputs = try types(model.inputs)
        let outputs = try types(model.outputs)
        // Lowered here, once: unsupported operators are reported where the Runefile names the model.
        return CheckedModel(inputs: inputs, outputs: outputs, lowered: try ModelLowering(model: model).lower())
    }

    public func compile(_ model: CheckedModel, symbol: String) throws -> ModelCode {
        let lowered = model.lowered
        let (includes, definitions) = ModelCEmitter(lowered: lowered, symbol: symbol).emit()
        return ModelCode(includes: includes, definitions: definitions, weightBytes: lowered.weightBytes,
                         arenaBytes: lowered.arenaBytes)
    }
}
