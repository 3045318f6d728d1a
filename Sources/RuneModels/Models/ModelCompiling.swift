import RuneManifest

/// Reads and lowers a model once, when the pipeline is checked: its input and output types for
/// the checker, and what it was lowered to for code generation.
public protocol ModelSignatureReading: Sendable {
    func read(_ bytes: [UInt8], path: String) throws -> CheckedModel
}

/// Compiles a model file into C for the code generator.
///
/// The Models stage implements this; code generation only sees the C it returns and the sizes
/// it reports.
public protocol ModelCompiling: ModelSignatureReading {
    /// Prints a model `read` returned; it is not parsed or lowered again.
    func compile(_ model: CheckedModel, symbol: String) throws -> ModelCode
}

/// A model file read, checked and lowered: its interface for the pipeline checker, and the
/// lowered model the IR carries to code generation.
public struct CheckedModel: Sendable {
    public var inputs: [TensorType]
    public var outputs: [TensorType]
    /// The operators lowered to kernel calls over a planned arena.
    let lowered: LoweredModel

    init(inputs: [TensorType], outputs: [TensorType], lowered: LoweredModel) {
        self.inputs = inputs
        self.outputs = outputs
        self.lowered = lowered
    }
}

/// The C for one model, and what it costs.
public struct ModelCode: Sendable {
    /// Files under Runtime/ to include once: `kernels/conv_2d.h`.
    public var includes: [String]
    /// Weights, parameters, the arena and the function
    /// `static int32_t <symbol>(const void *const *inputs, void *const *outputs)`.
    public var definitions: String
    public var weightBytes: Int
    public var arenaBytes: Int

    public init(includes: [String], definitions: String, weightBytes: Int, arenaBytes: Int) {
        self.includes = includes
        self.definitions = definitions
        self.weightBytes = weightBytes
        self.arenaBytes = arenaBytes
    }
}
