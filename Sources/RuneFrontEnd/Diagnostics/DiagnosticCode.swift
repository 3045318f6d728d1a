/// Stable identifiers for diagnostics, so tests, docs and users can refer to them.
///
/// Never renumber: add new codes at the end of their group.
public struct DiagnosticCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public let summary: String

    public var description: String { rawValue }

    // Syntax
    public static let syntax = DiagnosticCode(rawValue: "E0001", summary: "malformed Runefile syntax")
    public static let unknownInstruction = DiagnosticCode(rawValue: "E0002", summary: "unknown instruction")
    public static let yamlSyntax = DiagnosticCode(rawValue: "E0003", summary: "malformed YAML")
    public static let unsupportedVersion = DiagnosticCode(rawValue: "E0004", summary: "unsupported Runefile.yml version")
    public static let missingImage = DiagnosticCode(rawValue: "E0005", summary: "missing FROM or image")
    public static let invalidType = DiagnosticCode(rawValue: "E0006", summary: "malformed tensor type")
    public static let nameTooLong = DiagnosticCode(rawValue: "E0007", summary: "name longer than hosts accept")

    // Names and the pipeline graph
    public static let duplicateStage = DiagnosticCode(rawValue: "E0100", summary: "stage defined twice")
    public static let unknownStage = DiagnosticCode(rawValue: "E0101", summary: "unknown stage")
    public static let cycle = DiagnosticCode(rawValue: "E0102", summary: "pipeline has a cycle")
    public static let invalidConnection = DiagnosticCode(rawValue: "E0103", summary: "stage cannot be connected this way")
    public static let missingInput = DiagnosticCode(rawValue: "E0104", summary: "stage has no input")
    public static let emptyPipeline = DiagnosticCode(rawValue: "E0105", summary: "pipeline has no output")
    public static let pipelineTooLarge = DiagnosticCode(rawValue: "E0106", summary: "more stages, capabilities, outputs, models or inputs than hosts accept")

    // Stage kinds and arguments
    public static let unknownCapability = DiagnosticCode(rawValue: "E0200", summary: "unknown capability kind")
    public static let unknownOutput = DiagnosticCode(rawValue: "E0201", summary: "unknown output kind")
    public static let unknownProcBlock = DiagnosticCode(rawValue: "E0202", summary: "unknown processing block")
    public static let unknownArgument = DiagnosticCode(rawValue: "E0203", summary: "unknown argument")
    public static let invalidArgument = DiagnosticCode(rawValue: "E0204", summary: "bad argument value")
    public static let missingArgument = DiagnosticCode(rawValue: "E0205", summary: "missing argument")
    public static let duplicateArgument = DiagnosticCode(rawValue: "E0206", summary: "argument given twice")

    // Types
    public static let typeMismatch = DiagnosticCode(rawValue: "E0300", summary: "element type mismatch")
    public static let shapeMismatch = DiagnosticCode(rawValue: "E0301", summary: "shape mismatch")
    public static let cannotInferType = DiagnosticCode(rawValue: "E0302", summary: "cannot infer a tensor type")
    public static let unsupportedType = DiagnosticCode(rawValue: "E0303", summary: "element type not supported here")
    public static let tensorTooLarge = DiagnosticCode(rawValue: "E0304", summary: "tensor larger than hosts accept")

    // Files and models
    public static let missingFile = DiagnosticCode(rawValue: "E0400", summary: "file not found")
    public static let invalidModel = DiagnosticCode(rawValue: "E0401", summary: "malformed or unsupported model")
    public static let blockCompilation = DiagnosticCode(rawValue: "E0402", summary: "processing block does not compile")
    public static let unknownResource = DiagnosticCode(rawValue: "E0403", summary: "no resource of that name, or one that cannot be used there")
    public static let unsupportedModelFormat = DiagnosticCode(rawValue: "E0404", summary: "model format runec cannot compile")
    public static let unknownBase = DiagnosticCode(rawValue: "E0405", summary: "base rune not found or not usable")
    public static let invalidOverride = DiagnosticCode(rawValue: "E0406", summary: "stage cannot replace the base rune's stage")

    // Targets
    public static let imageTooLarge = DiagnosticCode(rawValue: "E0500", summary: "image does not fit the board")
    public static let invalidEmbeddedInput = DiagnosticCode(rawValue: "E0501", summary: "embedded input cannot be used")
    public static let boardLacksCapability = DiagnosticCode(rawValue: "E0502", summary: "the board lacks a capability the rune needs")

    // Bugs in runec, not in the input
    public static let internalError = DiagnosticCode(rawValue: "E0900", summary: "internal compiler error")

    // Warnings
    public static let unusedStage = DiagnosticCode(rawValue: "W0001", summary: "stage is never used")
    public static let ignoredArgument = DiagnosticCode(rawValue: "W0002", summary: "argument has no effect")
    public static let blockWarning = DiagnosticCode(rawValue: "W0003", summary: "warning in a processing block")
    public static let unknownImage = DiagnosticCode(rawValue: "W0004", summary: "unknown base image, compiled as runicos/base")

    public static let all: [DiagnosticCode] = [
        .syntax, .unknownInstruction, .yamlSyntax, .unsupportedVersion, .missingImage, .invalidType, .nameTooLong,
        .duplicateStage, .unknownStage, .cycle, .invalidConnection, .missingInput, .emptyPipeline, .pipelineTooLarge,
        .unknownCapability, .unknownOutput, .unknownProcBlock, .unknownArgument, .invalidArgument,
        .missingArgument, .duplicateArgument,
        .typeMismatch, .shapeMismatch, .cannotInferType, .unsupportedType, .tensorTooLarge,
        .missingFile, .invalidModel, .blockCompilation, .unknownResource, .unsupportedModelFormat, .unknownBase,
        .invalidOverride, .imageTooLarge, .invalidEmbeddedInput, .boardLacksCapability,
        .internalError, .unusedStage, .ignoredArgument, .blockWarning, .unknownImage,
    ]
}
