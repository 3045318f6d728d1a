import RuneManifest

/// A processing block runec can compile into a rune: its arguments, its typing rule, and the C
/// it generates for one use.
public protocol ProcBlock: Sendable {
    /// The canonical name, as printed in the IR: `fft`.
    var name: String { get }
    /// One line on what the block computes.
    var summary: String { get }
    var schema: ArgumentSchema { get }

    /// The output types for these inputs, or why the inputs are wrong. `declared` are the output
    /// types the Runefile wrote, if any; blocks whose output shape is not implied by their
    /// inputs and arguments take it from there.
    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType]

    /// The C for one use of the block.
    func emit(_ use: ProcBlockUse) -> ProcBlockCode
}

/// Why a block cannot take its inputs.
public struct ProcBlockTypeError: Error, Sendable {
    public var message: String
    public var help: String?
    /// Whether the element type (rather than the shape) is wrong.
    public var isElementTypeMismatch: Bool

    public init(_ message: String, help: String? = nil, elementType: Bool = false) {
        self.message = message
        self.help = help
        self.isElementTypeMismatch = elementType
    }
}

/// One use of a block in a pipeline, as code generation sees it.
public struct ProcBlockUse: Sendable {
    /// A C identifier unique to this stage, to prefix anything the block declares.
    public var symbol: String
    /// The C expressions of the input buffers (pointers) and their types.
    public var inputs: [(buffer: String, type: TensorType)]
    public var outputs: [(buffer: String, type: TensorType)]
    public var arguments: ResolvedArguments

    /// One use, as code generation builds it for `ProcBlock.emit`.
    package init(symbol: String, inputs: [(buffer: String, type: TensorType)],
                 outputs: [(buffer: String, type: TensorType)], arguments: ResolvedArguments) {
        self.symbol = symbol
        self.inputs = inputs
        self.outputs = outputs
        self.arguments = arguments
    }
}

/// The C a block contributes.
public struct ProcBlockCode: Sendable {
    /// Files under Runtime/ to include once: `blocks/modulo.h`.
    public var includes: [String]
    /// File-scope C: state, constant tables.
    public var declarations: String
    /// A C expression of type int32_t that runs the block and yields a rune_status.
    public var call: String

    public init(includes: [String], declarations: String = "", call: String) {
        self.includes = includes
        self.declarations = declarations
        self.call = call
    }
}

/// The blocks runec knows, found by any of the names used in the wild.
public enum ProcBlockCatalog {
    /// Every library block, by canonical name.
    public static var all: [any ProcBlock] { library }

    static let library: [any ProcBlock] = [
        FFT(), NoiseFiltering(), Modulo(), Normalize(), MostConfidentIndices(), Label(),
        ImageNormalization(), Softmax(), Argmax(), AudioFloatConversion(),
    ]

    /// Resolves `runicos/fft`, `hotg-ai/rune#proc-blocks/fft`, `hotg-ai/proc-blocks@v0.11.3#fft`,
    /// `hotg-ai/proc-blocks#fft` or plain `fft` to the library's `fft`.
    public static func block(named reference: String) -> (any ProcBlock)? {
        let name = canonicalName(reference)
        return library.first { normalize($0.name) == normalize(name) }
    }

    /// The last path component, after any `#` fragment and without a version.
    static func canonicalName(_ reference: String) -> String {
        var name = reference
        if let hash = name.lastIndex(of: "#") { name = String(name[name.index(after: hash)...]) }
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        return name
    }

    /// `noise-filtering` and `noise_filtering` are one block.
    static func normalize(_ name: String) -> String {
        String(name.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Whether a reference names a C file the user wrote rather than a library block.
    public static func isUserBlock(_ reference: String) -> Bool {
        reference.hasSuffix(".c")
    }
}
