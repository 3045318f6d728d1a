/// A model runec cannot compile: malformed, truncated, or using what the kernels do not cover.
/// The message names the model file and, where it applies, the operator and node index.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
