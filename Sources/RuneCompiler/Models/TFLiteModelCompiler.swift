import RuneManifest

/// Compiles TFLite models ahead of time into C kernel calls over a static arena.
public struct TFLiteModelCompiler: ModelCompiling {
    public init() {}

    public func signature(of bytes: [UInt8], path: String) throws -> (inputs: [TensorType], outputs: [TensorType]) {
        throw ModelUnavailable(path: path)
    }

    public func compile(bytes: [UInt8], path: String, symbol: String) throws -> ModelCode {
        throw ModelUnavailable(path: path)
    }
}

struct ModelUnavailable: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot compile model '\(path)': this build of runec has no TFLite support" }
}
