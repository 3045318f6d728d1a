import RuneManifest

/// Compiles a model file into C for the code generator.
///
/// The Models stage implements this; code generation only sees the C it returns and the sizes
/// it reports.
public protocol ModelCompiling: ModelSignatureReading {
    func compile(bytes: [UInt8], path: String, symbol: String) throws -> ModelCode
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
