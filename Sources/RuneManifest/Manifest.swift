/// What a rune declares it needs, read by hosts before they call `_call()`.
///
/// The binary form is documented in `Runtime/include/rune.h`; it is stored both in the custom
/// section `rune.manifest` and in the rune's memory, where `_manifest()` points.
public struct Manifest: Equatable, Sendable {
    /// An argument as written in the Runefile, normalized (`pixel-format` becomes `pixel_format`).
    public struct Argument: Equatable, Sendable {
        public var key: String
        public var value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// A sensor the rune reads: `SOUND`, `IMAGE`, `RAW`, ...
    public struct Capability: Equatable, Sendable {
        public var name: String
        public var kind: String
        public var tensor: TensorType
        public var arguments: [Argument]
        public init(name: String, kind: String, tensor: TensorType, arguments: [Argument]) {
            self.name = name
            self.kind = kind
            self.tensor = tensor
            self.arguments = arguments
        }

        public func argument(_ key: String) -> String? { arguments.first { $0.key == key }?.value }
    }

    /// A sink for results: `SERIAL`.
    public struct Output: Equatable, Sendable {
        public var name: String
        public var kind: String
        /// One tensor per input of the output stage, in order.
        public var inputs: [TensorType]
        public var arguments: [Argument]
        public init(name: String, kind: String, inputs: [TensorType], arguments: [Argument]) {
            self.name = name
            self.kind = kind
            self.inputs = inputs
            self.arguments = arguments
        }
    }

    /// A model compiled into the rune.
    public struct Model: Equatable, Sendable {
        public var name: String
        /// The model file the rune was built from (its file name).
        public var source: String
        public var weightBytes: Int
        public var arenaBytes: Int
        public var inputs: [TensorType]
        public var outputs: [TensorType]
        public init(name: String, source: String, weightBytes: Int, arenaBytes: Int,
                    inputs: [TensorType], outputs: [TensorType]) {
            self.name = name
            self.source = source
            self.weightBytes = weightBytes
            self.arenaBytes = arenaBytes
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// The newest manifest version hosts read. Version 1 stores every tensor with canonical
    /// dimensions; version 2 stores the tensors of outputs with their declared shapes
    /// (``TensorType/shape``), so hosts print `[1,1]` where the Runefile says `F32[1, 1]`.
    /// runec writes version 1 whenever no output's shape differs from its canonical one, so
    /// runes that need nothing new stay readable by older hosts.
    public static let currentVersion: UInt8 = 2
    /// The first version that stores outputs' declared shapes.
    public static let declaredShapesVersion: UInt8 = 2
    /// The name of the custom section that holds the manifest.
    public static let sectionName = "rune.manifest"

    public var version: UInt8
    public var capabilities: [Capability]
    public var outputs: [Output]
    public var models: [Model]
    /// Bytes of linear memory the rune needs: static data, tensors, arenas and stack.
    public var memoryBytes: Int

    /// Without `version`, the oldest version that holds everything given: 2 when an output's
    /// declared shape differs from its canonical one, else 1.
    public init(capabilities: [Capability], outputs: [Output], models: [Model], memoryBytes: Int,
                version: UInt8? = nil) {
        let needsShapes = outputs.contains { $0.inputs.contains { $0.shape != $0.dimensions } }
        self.version = version ?? (needsShapes ? Manifest.declaredShapesVersion : 1)
        self.capabilities = capabilities
        self.outputs = outputs
        self.models = models
        self.memoryBytes = memoryBytes
    }
}
