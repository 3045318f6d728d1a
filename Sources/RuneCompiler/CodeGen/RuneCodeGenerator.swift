import Foundation
import RuneFrontEnd
import RuneManifest
import RuneModels

/// What code generation produced: the C, the manifest, and the plan to build them.
public struct GeneratedRune: Sendable {
    /// The main translation unit: shims, tensors, block calls, models.
    public var source: String
    public var manifest: Manifest
    /// The manifest's binary form: in the rune's memory and in its `rune.manifest` section.
    public var manifestBlob: [UInt8]
    /// The stages, for `rune graph` and per-stage timings.
    public var description: PipelineDescription
    public var plan: BuildPlan
}

/// Generates freestanding C11 for a checked pipeline.
///
/// One static buffer per tensor, `rune_manifest()` returning the manifest blob, and
/// `rune_call()` running every stage in topological order. Block and kernel sources from
/// Runtime/ are included into the same translation unit, so everything they define is static
/// and the optimizer sees the whole pipeline.
public struct RuneCodeGenerator {
    /// Pipelines with more stages than this get unoptimised stage glue, in groups run from a
    /// table rather than a function per stage called directly (see `generate` and `StageGlue`).
    static let optimizedGlueStages = 256
    public var pipeline: Pipeline
    /// The name of the main unit, shown in diagnostics: `microspeech.rune.c`.
    public var unitName: String
    /// The Runefile the pipeline came from, named in the generated file's header.
    public var sourceName: String
    public var target: CompilationTarget
    public var optimization: OptimizationLevel
    public var debugInfo: Bool
    public var modelCompiler: any ModelCompiling

    public init(pipeline: Pipeline, unitName: String, sourceName: String, target: CompilationTarget,
                optimization: OptimizationLevel, debugInfo: Bool, modelCompiler: any ModelCompiling) {
        self.pipeline = pipeline
        self.unitName = unitName
        self.sourceName = sourceName
        self.target = target
        self.optimization = optimization
        self.debugInfo = debugInfo
        self.modelCompiler = modelCompiler
    }

    /// The path of the generated unit in clang's virtual file system.
    var unitPath: String { "/rune/generated/\(unitName)" }

    public func generate() throws -> GeneratedRune {
        var identifiers = CIdentifiers()
        // Buffer names for every stage output.
        var buffers: [[String]] = []
        for stage in pipeline.stages {
            let base = identifiers.identifier(for: stage.name)
            buffers.append(stage.outputTypes.indices.map { stage.outputTypes.count == 1 ? "\(base)_out" : "\(base)_out\($0)" })
        }
        var includes: [String] = []
        var declarations: [String] = []
        var stageBodies: [[String]] = []
        var extraUnits: [BuildPlan.TranslationUnit] = []
        var models: [String: ModelCode] = [:]
        var staticBytes = 0

        func include(_ files: [String]) {
            for file in files where !includes.contains(file) { includes.append(file) }
        }

        var tensorLines: [String] = []
        for (index, stage) in pipeline.stages.enumerated() {
            for (output, type) in stage.outputTypes.enumerated() {
                tensorLines.append("static \(type.elementType.cType) \(buffers[index][output])[\(type.elementCount)] __attribute__((aligned(16))); /* \(stage.name.cComment): \(type) */")
                staticBytes += align(type.elementCount * type.elementType.byteWidth, 16)
            }
        }

        var capabilityIndex = 0
        var outputIndex = 0
        for (index, stage) in pipeline.stages.enumerated() {
            var body: [String] = []
            defer { stageBodies.append(body) }
            let inputs = stage.inputs.map { (buffer: buffers[$0.stage][$0.output], type: pipeline.stages[$0.stage].outputTypes[$0.output]) }
            let outputs = stage.outputTypes.enumerated().map { (buffer: buffers[index][$0.offset], type: $0.element) }
            switch stage.operation {
            case .capability(let kind, _):
                body.append("    /* \(stage.name.cComment): \(kind.name) capability \(capabilityIndex) -> \(stage.outputTypes[0]) */")
                body.append("    status = rune_capability_read(\(capabilityIndex), \(outputs[0].buffer), sizeof \(outputs[0].buffer));")
                body.append("    if (status < 0) return status;")
                capabilityIndex += 1
            case .procBlock(let block, let arguments):
                let symbol = identifiers.identifier(for: stage.name, prefix: "b_")
                let code = block.emit(ProcBlockUse(symbol: symbol, inputs: inputs, outputs: outputs, arguments: arguments))
                include(code.includes)
                if !code.declarations.isEmpty { declarations.append(code.declarations) }
                body.append("    /* \(stage.name.cComment): \(block.name) (\(signature(inputs.map(\.type), stage.outputTypes))) */")
                body.append("    status = \(code.call);")
                body.append("    if (status != RUNE_OK) return status;")
            case .userBlock(let path, let arguments):
                let symbol = identifiers.identifier(for: stage.name, prefix: "user_block_")
                let emitter = UserBlockEmitter(path: path, symbol: symbol, inputs: inputs, outputs: outputs,
                                               arguments: arguments)
                let code = emitter.emit()
                include(code.includes)
                declarations.append(code.declarations)
                extraUnits.append(emitter.unit)
                body.append("    /* \(stage.name.cComment): user block \(path.cComment) (\(signature(inputs.map(\.type), stage.outputTypes))) */")
                body.append("    status = \(code.call);")
                body.append("    if (status != RUNE_OK) return status;")
            case .model(let model):
                let symbol = identifiers.identifier(for: stage.name, prefix: "model_")
                let code = try modelCompiler.compile(model.model, symbol: symbol)
                models[stage.name] = code
                include(code.includes)
                declarations.append(code.definitions)
                staticBytes += code.weightBytes + code.arenaBytes
                let inputList = inputs.map(\.buffer).joined(separator: ", ")
                let outputList = outputs.map(\.buffer).joined(separator: ", ")
                body.append("    /* \(stage.name.cComment): model \(model.path.cComment) (\(signature(inputs.map(\.type), stage.outputTypes))) */")
                body.append("    {")
                body.append("        const void *const inputs[] = {\(inputList)};")
                body.append("        void *const outputs[] = {\(outputList)};")
                body.append("        status = \(symbol)(inputs, outputs);")
                body.append("    }")
                body.append("    if (status != RUNE_OK) return status;")
            case .output(let kind, _):
                body.append("    /* \(stage.name.cComment): \(kind.name) output \(outputIndex) */")
                for (position, input) in inputs.enumerated() {
                    body.append("    status = rune_output_write(\(outputIndex), \(position), \(input.buffer), sizeof \(input.buffer));")
                    body.append("    if (status < 0) return status;")
                }
                outputIndex += 1
            }
        }

        // The manifest goes last: it records the memory everything above needs.
        let (manifest, blob) = ManifestBuilder(pipeline: pipeline, models: models)
            .build(staticBytes: staticBytes, stackBytes: target == .wasm32 ? Linker.wasmStackBytes : 0)

        var source = """
        /*
         * Generated by runec from \(sourceName.cComment). Do not edit.
         *
         * Pipeline:
        \(describePipeline())
         */
        #include "rune.h"

        """
        for file in includes { source += "#include \"\(file)\"\n" }
        source += """

        /* The manifest (format in rune.h): a little-endian u32 byte count, then the bytes. */
        \(CLiteral.array("static const uint8_t", "rune_manifest_blob", (littleEndian(UInt32(blob.count)) + blob).map(CLiteral.byte),
                        perLine: 16, attributes: "__attribute__((aligned(4)))"))

        const uint8_t *rune_manifest(void) { return rune_manifest_blob; }

        /* Tensors: one static buffer each. */
        \(tensorLines.joined(separator: "\n"))

        """
        if !declarations.isEmpty { source += "\n" + declarations.joined(separator: "\n\n") + "\n" }
        // The glue of a very large pipeline is left unoptimised and grouped: optimising it costs
        // LLVM about 6 ms a stage (each stage would inline its block's body), and it only calls
        // the blocks, which are optimised once each, as always. Below the threshold nothing
        // changes. See StageGlue for why grouped.
        let glue = StageGlue(bodies: stageBodies, grouped: pipeline.stages.count > Self.optimizedGlueStages)
        source += "\n" + glue.source

        let plan = BuildPlan(
            target: target, optimization: optimization, debugInfo: debugInfo,
            units: [BuildPlan.TranslationUnit(path: unitPath, source: source),
                    BuildPlan.TranslationUnit(path: RuntimeLibrary.path("lib/memory.c"), source: nil)] + extraUnits,
            headers: RuntimeLibrary.files, includeDirectories: RuntimeLibrary.includeDirectories,
            exportedSymbols: ["rune_manifest", "rune_call", "rune_stage"], linkerArguments: [])
        return GeneratedRune(source: source, manifest: manifest, manifestBlob: blob, description: describe(), plan: plan)
    }

    private func describe() -> PipelineDescription {
        PipelineDescription(stages: pipeline.stages.map { stage in
            let (kind, detail): (PipelineDescription.Kind, String) = switch stage.operation {
            case .capability(let capability, _): (.capability, capability.name)
            case .procBlock(let block, _): (.procBlock, block.name)
            case .userBlock(let path, _): (.procBlock, URL(fileURLWithPath: path).lastPathComponent)
            case .model(let model): (.model, URL(fileURLWithPath: model.path).lastPathComponent)
            case .output(let output, _): (.output, output.name)
            }
            return PipelineDescription.Stage(name: stage.name, kind: kind, detail: detail,
                                             inputs: stage.inputs.map { ($0.stage, $0.output) }, outputs: stage.outputTypes)
        })
    }

    private func describePipeline() -> String {
        pipeline.stages.map { stage -> String in
            let inputs = stage.inputs.map { pipeline.stages[$0.stage].name }
            let from = inputs.isEmpty ? "" : " <- " + inputs.joined(separator: ", ")
            let types = stage.outputTypes.map(\.description).joined(separator: ", ")
            return " *   \(stage.name)\(types.isEmpty ? "" : ": \(types)")\(from)".cComment
        }.joined(separator: "\n")
    }

    private func signature(_ inputs: [TensorType], _ outputs: [TensorType]) -> String {
        inputs.map(\.description).joined(separator: ", ") + " -> " + outputs.map(\.description).joined(separator: ", ")
    }
}

func align(_ value: Int, _ alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }

func littleEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value & 0xff), UInt8((value >> 8) & 0xff), UInt8((value >> 16) & 0xff), UInt8(value >> 24)]
}
