/// A Runefile as written, in either spelling, before any checking.
///
/// The Dockerfile-like `Runefile` (typed or untyped) and `Runefile.yml` both parse into this
/// one syntax tree; everything after parsing is shared.
public struct RunefileSyntax: Sendable {
    public enum Format: String, Sendable { case runefile, yaml }

    public var file: SourceFile
    public var format: Format
    /// `FROM runicos/base` or `image: runicos/base`.
    public var image: Located<String>?
    public var stages: [StageSyntax]
    /// Data flow: `RUN a b c` gives a -> b and b -> c; YAML gives one edge per `inputs` entry.
    public var edges: [EdgeSyntax]
    /// Names of stages whose declarations could not be parsed (already reported), so that
    /// references to them are not reported again.
    public var unparsedStageNames: Set<String> = []
    /// Runefile.yml's `resources:`, in the order written.
    public var resources: [ResourceSyntax] = []

    public init(file: SourceFile, format: Format, image: Located<String>?, stages: [StageSyntax], edges: [EdgeSyntax]) {
        self.file = file
        self.format = format
        self.image = image
        self.stages = stages
        self.edges = edges
    }
}

/// The four kinds of pipeline stage.
public enum StageKind: String, Sendable, Hashable, CaseIterable {
    case capability = "CAPABILITY"
    case procBlock = "PROC_BLOCK"
    case model = "MODEL"
    case output = "OUT"
}

/// One stage declaration: `PROC_BLOCK<I16[16000],U32[1960]> fft hotg-ai/rune#proc-blocks/fft`.
public struct StageSyntax: Sendable {
    public var kind: StageKind
    /// Where the declaration starts (the instruction keyword or the YAML key).
    public var range: SourceRange
    public var name: Located<String>
    /// The capability or output kind (`SOUND`, `serial`), the block reference, or the model path.
    public var reference: Located<String>
    /// Declared input types (typed Runefile form), or nil when not written.
    public var inputTypes: [Located<TypeSyntax>]?
    /// Declared output types (typed form, or YAML `outputs`), or nil when not written.
    public var outputTypes: [Located<TypeSyntax>]?
    public var arguments: [ArgumentSyntax]

    public init(kind: StageKind, range: SourceRange, name: Located<String>, reference: Located<String>,
                inputTypes: [Located<TypeSyntax>]?, outputTypes: [Located<TypeSyntax>]?,
                arguments: [ArgumentSyntax]) {
        self.kind = kind
        self.range = range
        self.name = name
        self.reference = reference
        self.inputTypes = inputTypes
        self.outputTypes = outputTypes
        self.arguments = arguments
    }
}

/// A tensor type as written: `I16[16000]`, `f32[128, 3]`, `F32`.
public struct TypeSyntax: Sendable, Equatable {
    /// The element type as spelled (checked later, so the error can point at it).
    public var elementType: String
    /// The dimensions, or empty for a bare element type (a single value).
    public var dimensions: [Int]
}

/// `--hz 16000`, `--labels=a,b,c`, `-n 128`, or a YAML `args` entry.
public struct ArgumentSyntax: Sendable {
    /// The key as written, without dashes.
    public var key: Located<String>
    public var value: Located<ArgumentValue>
}

/// An argument's value before it is checked against what the stage accepts.
public enum ArgumentValue: Sendable, Equatable {
    /// A single word, number or quoted string.
    case scalar(String)
    /// `[150, 1]`, `a,b,c`, a YAML sequence, or a YAML block of lines (`wordlist: |`).
    case list([String])
    /// A bare flag such as `--verbose`.
    case flag

    /// The value as one canonical string: lists comma-separated.
    public var text: String {
        switch self {
        case .scalar(let value): value
        case .list(let values): values.joined(separator: ",")
        case .flag: "true"
        }
    }
}

/// `producer -> consumer`, with the place that says so (a RUN word or a YAML `inputs` entry).
public struct EdgeSyntax: Sendable {
    public var producer: Located<String>
    /// Which output of the producer: `model.1` selects output 1; nil means all of them.
    public var outputIndex: Int?
    public var consumer: Located<String>
}
