import RuneManifest
import RuneModels

/// The checked pipeline: what a rune computes, independent of how the Runefile spelled it.
///
/// Stages are in topological order (producers before consumers), every tensor has a concrete
/// canonical type, and every argument is checked and canonical. Both spellings of a Runefile
/// lower to equal pipelines; code generation reads only this.
public struct Pipeline: Sendable {
    public var image: String
    public var stages: [Stage]

    public init(image: String, stages: [Stage]) {
        self.image = image
        self.stages = stages
    }

    public func stage(named name: String) -> Stage? { stages.first { $0.name == name } }

    public var capabilities: [Stage] { stages.filter { if case .capability = $0.operation { true } else { false } } }
    public var outputs: [Stage] { stages.filter { if case .output = $0.operation { true } else { false } } }
    public var models: [Stage] { stages.filter { if case .model = $0.operation { true } else { false } } }
}

/// One output tensor of one stage.
public struct ValueReference: Sendable, Hashable, CustomStringConvertible {
    /// The index of the producing stage in `Pipeline.stages`.
    public var stage: Int
    public var output: Int

    public init(stage: Int, output: Int) {
        self.stage = stage
        self.output = output
    }

    public var description: String { "\(stage).\(output)" }
}

/// A node of the pipeline.
public struct Stage: Sendable {
    public var name: String
    public var operation: Operation
    /// The tensors this stage consumes, in order.
    public var inputs: [ValueReference]
    /// The types of the tensors this stage produces.
    public var outputTypes: [TensorType]

    public init(name: String, operation: Operation, inputs: [ValueReference], outputTypes: [TensorType]) {
        self.name = name
        self.operation = operation
        self.inputs = inputs
        self.outputTypes = outputTypes
    }
}

/// What a stage does.
public enum Operation: Sendable {
    case capability(CapabilityKind, ResolvedArguments)
    case procBlock(any ProcBlock, ResolvedArguments)
    /// A user's processing block compiled from their C file.
    case userBlock(path: String, ResolvedArguments)
    case model(ModelReference)
    case output(OutputKind, ResolvedArguments)
}

/// A model file used by a MODEL stage.
public struct ModelReference: Sendable {
    /// The path as written in the Runefile, for messages and the IR.
    public var path: String
    /// The file's absolute path.
    public var resolvedPath: String
    /// The model read and lowered once, when checking; code generation prints it.
    public var model: CheckedModel
    /// The model's bytes, read once when checking.
    public var bytes: [UInt8]

    /// The model's input and output types, canonical, in the model's order.
    public var inputTypes: [TensorType] { model.inputs }
    public var outputTypes: [TensorType] { model.outputs }

    public init(path: String, resolvedPath: String, model: CheckedModel, bytes: [UInt8]) {
        self.path = path
        self.resolvedPath = resolvedPath
        self.model = model
        self.bytes = bytes
    }
}
