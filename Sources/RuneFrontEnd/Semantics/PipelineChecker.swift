import Foundation
import RuneFiles
import RuneManifest
import RuneModels

/// Checks a parsed Runefile and lowers it to a `Pipeline`.
///
/// Every problem is reported (not just the first): unknown names, duplicate stages, cycles,
/// type and shape mismatches, bad arguments, missing files. The pipeline is only meaningful
/// when no error was reported.
public struct PipelineChecker {
    let syntax: RunefileSyntax
    let diagnostics: DiagnosticEngine
    /// Reads model files for their input and output types.
    let modelReader: any ModelSignatureReading

    /// `$NAME` resources are resolved here, once, so every later check sees the values they stand
    /// for at the places they are used.
    public init(syntax: RunefileSyntax, diagnostics: DiagnosticEngine, modelReader: any ModelSignatureReading) {
        self.syntax = ResourceResolver(diagnostics: diagnostics).resolve(syntax)
        self.diagnostics = diagnostics
        self.modelReader = modelReader
    }

    /// A stage with everything resolved that does not depend on its inputs.
    private struct Declared {
        var syntax: StageSyntax
        var operation: Operation?
        var declaredInputs: [TensorType]?
        var declaredOutputs: [TensorType]?
        /// A declared type was malformed (and reported).
        var typesFailed = false
    }

    /// The graph's edges, and the stages touched by edges that were rejected (already
    /// reported), which are exempt from follow-on errors.
    private struct Graph {
        var edges: [Edge] = []
        var brokenInputs = Set<Int>()
        var touched = Set<Int>()
    }

    public func check() -> Pipeline {
        checkImage()
        if syntax.stages.count > RuneLimits.maxStages {
            let first = syntax.stages[RuneLimits.maxStages]
            diagnostics.emit(.error(.pipelineTooLarge,
                                    "the Runefile declares \(syntax.stages.count) stages; runec and hosts accept at most \(RuneLimits.maxStages)",
                                    at: first.name.range, help: "split the pipeline into several runes"))
            return Pipeline(image: "runicos/base", stages: [])
        }
        let declared = declareStages()
        let names = declared.map(\.syntax.name.value)
        let graph = resolveEdges(declared)
        let edges = graph.edges
        let order = topologicalOrder(count: declared.count, edges: edges, names: names)
        warnAboutUnusedStages(declared, graph: graph)
        // A Runefile with no stages at all (only FROM) has no output either, unless something
        // was already reported (a stage that did not parse, malformed YAML, a missing pipeline).
        let nothingDeclared = declared.isEmpty && syntax.stages.isEmpty && syntax.unparsedStageNames.isEmpty
            && !diagnostics.hasErrors
        if !declared.contains(where: { $0.syntax.kind == .output }), !declared.isEmpty || nothingDeclared {
            diagnostics.emit(.error(.emptyPipeline, "the pipeline has no output",
                                    at: declared.last?.syntax.range ?? syntax.image?.range
                                        ?? SourceRange(SourceLocation(file: syntax.file.path, line: 1, column: 1)),
                                    help: syntax.format == .yaml ? "add a stage with 'out: serial' and give it 'inputs'"
                                        : "add 'OUT serial' and end a RUN line with 'serial'"))
        }
        return typeCheck(declared, graph: graph, order: order)
    }

    /// How to connect a stage, in the words of this Runefile's spelling.
    private var connectHelp: String {
        syntax.format == .yaml ? "list it in the 'inputs' of the stage it feeds" : "connect it in a RUN line"
    }

    // MARK: - Declarations

    /// The original Rune treated the image as metadata, so an unknown bare name only warns. A
    /// registry reference was composed with its base before checking and never reaches here.
    private func checkImage() {
        guard let image = syntax.image else { return }
        if image.value != "runicos/base" {
            diagnostics.emit(.warning(.unknownImage, "unknown base image '\(image.value)'; building on runicos/base", at: image.range,
                                      help: "write 'runicos/base', or a registry reference such as 'localhost:5000/hotg/microspeech:1' to build on a published rune"))
        }
    }

    private func declareStages() -> [Declared] {
        var seen: [String: SourceRange] = [:]
        var result: [Declared] = []
        var sourcesByKind: [CapabilityKind: Int] = [:]
        var countsByKind: [StageKind: Int] = [:]
        for stage in syntax.stages {
            if let problem = HostLimits.nameProblem(stage.name.value) {
                diagnostics.emit(.error(.nameTooLong, "stage '\(stage.name.value.prefix(32))...' has too long a name", at: stage.name.range,
                                        label: problem, help: "give it a shorter name"))
            }
            let (limit, what): (Int?, String) = switch stage.kind {
            case .capability: (RuneLimits.maxCapabilities, "capabilities")
            case .output: (RuneLimits.maxOutputs, "outputs")
            case .model: (RuneLimits.maxModels, "models")
            case .procBlock: (nil, "")
            }
            countsByKind[stage.kind, default: 0] += 1
            if let limit, countsByKind[stage.kind] == limit + 1 {
                diagnostics.emit(.error(.pipelineTooLarge, "the pipeline has more than \(limit) \(what), the most hosts accept",
                                        at: stage.name.range, label: "this is one too many"))
            }
            if let first = seen[stage.name.value] {
                diagnostics.emit(.error(.duplicateStage, "stage '\(stage.name.value)' is defined twice", at: stage.name.range,
                                        notes: [.init("first defined here", at: first)],
                                        help: "give each stage its own name"))
                continue
            }
            seen[stage.name.value] = stage.name.range
            var entry = Declared(syntax: stage)
            entry.declaredInputs = stage.inputTypes.flatMap { resolveTypes($0) }
            entry.declaredOutputs = stage.outputTypes.flatMap { resolveTypes($0) }
            entry.typesFailed = (stage.inputTypes != nil && entry.declaredInputs == nil)
                || (stage.outputTypes != nil && entry.declaredOutputs == nil)
            entry.operation = operation(for: stage, sourcesByKind: &sourcesByKind)
            result.append(entry)
        }
        return result
    }

    private func operation(for stage: StageSyntax, sourcesByKind: inout [CapabilityKind: Int]) -> Operation? {
        let reference = stage.reference
        for argument in stage.arguments {
            if let problem = HostLimits.argumentProblem(argument.value.value.text) {
                diagnostics.emit(.error(.invalidArgument, "argument '\(argument.key.value)' of '\(stage.name.value)' is too long",
                                        at: argument.value.range, label: problem))
                return nil
            }
        }
        if stage.arguments.count > RuneLimits.maxManifestEntries {
            diagnostics.emit(.error(.pipelineTooLarge,
                                    "'\(stage.name.value)' has \(stage.arguments.count) arguments; hosts accept at most \(RuneLimits.maxManifestEntries)",
                                    at: stage.arguments[RuneLimits.maxManifestEntries].key.range))
            return nil
        }
        switch stage.kind {
        case .capability:
            guard let kind = CapabilityKind(named: reference.value) else {
                let names = CapabilityKind.allCases.map(\.name)
                diagnostics.emit(.error(.unknownCapability, "unknown capability kind '\(reference.value)'", at: reference.range,
                                        help: closest(reference.value.uppercased(), in: names).map { "did you mean '\($0)'?" }
                                            ?? "capabilities are " + names.joined(separator: ", ")))
                return nil
            }
            var arguments = kind.schema.resolve(stage.arguments, stage: stage.name.value, at: stage.name.range,
                                                diagnostics: diagnostics)
            if kind == .image, let width = arguments.integer(.width), let height = arguments.integer(.height),
               width * height > RuneLimits.maxImagePixels {
                let argument = stage.arguments.first {
                    [.width, .height].contains(CapabilityArgument(rawValue: ArgumentSchema.normalize($0.key.value)))
                }
                diagnostics.emit(.error(.invalidArgument,
                                        "a \(width) x \(height) image has \(width * height) pixels; hosts accept at most \(RuneLimits.maxImagePixels)",
                                        at: argument?.value.range ?? stage.name.range, help: "ask for a smaller image"))
                return nil
            }
            let position = sourcesByKind[kind, default: 0]
            sourcesByKind[kind] = position + 1
            if arguments[.source] == nil { arguments.set(.source, .integer(position)) }
            return .capability(kind, arguments)
        case .output:
            guard let kind = OutputKind(named: reference.value) else {
                let names = OutputKind.allCases.map(\.name)
                diagnostics.emit(.error(.unknownOutput, "unknown output kind '\(reference.value)'", at: reference.range,
                                        help: "outputs are " + names.joined(separator: ", ")))
                return nil
            }
            return .output(kind, kind.schema.resolve(stage.arguments, stage: stage.name.value, at: stage.name.range,
                                                     diagnostics: diagnostics))
        case .procBlock:
            if ProcBlockCatalog.isUserBlock(reference.value) {
                guard let path = existingFile(reference, what: "processing block") else { return nil }
                var arguments = ResolvedArguments()
                for argument in stage.arguments {
                    arguments.set(ArgumentSchema.normalize(argument.key.value), .string(argument.value.value.text))
                }
                return .userBlock(path: path, arguments)
            }
            guard let block = ProcBlockCatalog.block(named: reference.value) else {
                let names = ProcBlockCatalog.all.map(\.name)
                let name = ProcBlockCatalog.canonicalName(reference.value)
                diagnostics.emit(.error(.unknownProcBlock, "unknown processing block '\(reference.value)'", at: reference.range,
                                        help: closest(name, in: names).map { "did you mean '\($0)'?" }
                                            ?? (names.isEmpty ? "write your own block in C: 'PROC_BLOCK<F32[4],F32[4]> name ./block.c'"
                                                : "the library has " + names.joined(separator: ", ") + ", or write your own in C: './block.c'")))
                return nil
            }
            return .procBlock(block, block.schema.resolve(stage.arguments, stage: stage.name.value, at: stage.name.range,
                                                          diagnostics: diagnostics))
        case .model:
            guard let modelArguments = checkModelFormat(stage) else { return nil }
            guard let path = existingFile(reference, what: "model") else { return nil }
            let bytes: [UInt8]
            do {
                bytes = try BoundedFile.read(path, limit: RuneLimits.maxModelBytes, regularFileOnly: true)
            } catch {
                diagnostics.emit(.error(error == .missing ? .missingFile : .invalidModel,
                                        "cannot read model file '\(reference.value)': \(error)", at: reference.range))
                return nil
            }
            let modelSchema = ArgumentSchema([
                Parameter("input", .integerList(1...(1 << 30)), aliases: ["inputs"],
                          summary: "the model's input shape, checked against the model file"),
                Parameter("output", .integerList(1...(1 << 30)), aliases: ["outputs"],
                          summary: "the model's output shape, checked against the model file"),
            ])
            // The original Rune warned of a model's other arguments and compiled it
            // (its `model-arguments-should-be-used` test); runec does too.
            for argument in modelArguments where modelSchema.parameter(named: argument.key.value) == nil {
                diagnostics.emit(.warning(.ignoredArgument, "model '\(stage.name.value)' does not use argument '\(argument.key.value)'",
                                          at: argument.key.range,
                                          help: "a model takes 'format', 'input' and 'output'; remove the others"))
            }
            let arguments = modelSchema.resolve(modelArguments.filter { modelSchema.parameter(named: $0.key.value) != nil },
                                                stage: stage.name.value, at: stage.name.range, diagnostics: diagnostics)
            do {
                let signature = try modelReader.read(bytes, path: reference.value)
                if max(signature.inputs.count, signature.outputs.count) > RuneLimits.maxManifestEntries {
                    diagnostics.emit(.error(.pipelineTooLarge,
                                            "model '\(reference.value)' has \(signature.inputs.count) inputs and \(signature.outputs.count) outputs; hosts accept at most \(RuneLimits.maxManifestEntries) of each",
                                            at: reference.range))
                    return nil
                }
                checkShapeArgument(arguments, "input", signature.inputs, stage: stage)
                checkShapeArgument(arguments, "output", signature.outputs, stage: stage)
                return .model(ModelReference(path: reference.value, resolvedPath: path, model: signature, bytes: bytes))
            } catch {
                diagnostics.emit(.error(.invalidModel, "\(error)", at: reference.range))
                return nil
            }
        }
    }

    /// The formats the original Rune accepted in a model's `format` argument; runec compiles the
    /// first.
    static let modelFormats = ["tensorflow-lite", "tensorflow", "tensorflow-js", "onnx"]

    /// The stage's arguments without `format`, or nil after reporting a format runec cannot
    /// compile.
    private func checkModelFormat(_ stage: StageSyntax) -> [ArgumentSyntax]? {
        var rest: [ArgumentSyntax] = []
        var supported = true
        for argument in stage.arguments {
            guard ArgumentSchema.normalize(argument.key.value) == "format" else {
                rest.append(argument)
                continue
            }
            let format = argument.value.value.text
            if format == PipelineChecker.modelFormats[0] { continue }
            supported = false
            let known = PipelineChecker.modelFormats.sorted()
            diagnostics.emit(.error(.unsupportedModelFormat,
                                    PipelineChecker.modelFormats.contains(format)
                                        ? "model format '\(format)' is not supported; runec compiles tensorflow-lite models"
                                        : "expected the format to be one of \(known.joined(separator: ", ")), but found \"\(format)\"",
                                    at: argument.value.range,
                                    help: "supported formats: tensorflow-lite (the default); convert the model to TensorFlow Lite"))
        }
        return supported ? rest : nil
    }

    /// `--input [150,1] --output 1` in the untyped form must match the model.
    private func checkShapeArgument(_ arguments: ResolvedArguments, _ key: String, _ types: [TensorType],
                                    stage: StageSyntax) {
        guard let dimensions = arguments.integerList(key), let first = types.first else { return }
        let argument = stage.arguments.first { ArgumentSchema.normalize($0.key.value).hasPrefix(key) }
        if TensorType.canonical(dimensions) != first.dimensions {
            diagnostics.emit(.error(.shapeMismatch,
                                    "'--\(key)' says [\(dimensions.map(String.init).joined(separator: ", "))] but the model's \(key) is \(first)",
                                    at: argument?.value.range ?? stage.range))
        }
    }

    /// The absolute path of a file named relative to the Runefile, or a diagnostic.
    private func existingFile(_ reference: Located<String>, what: String) -> String? {
        let directory = (syntax.file.path as NSString).deletingLastPathComponent
        let path = reference.value.hasPrefix("/") ? reference.value
            : ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(reference.value)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), !isDirectory.boolValue else {
            diagnostics.emit(.error(.missingFile, "\(what) file '\(reference.value)' not found", at: reference.range,
                                    help: "paths are relative to the Runefile's folder (\(directory.isEmpty ? "." : directory))"))
            return nil
        }
        return absolute
    }

    private func resolveTypes(_ types: [Located<TypeSyntax>]) -> [TensorType]? {
        var result: [TensorType] = []
        for type in types {
            guard let elementType = ElementType(spelling: type.value.elementType) else {
                let names = ElementType.allCases.map { $0.name.uppercased() }
                diagnostics.emit(.error(.invalidType, "unknown element type '\(type.value.elementType)'",
                                        at: SourceRange(type.range.start, length: type.value.elementType.count),
                                        help: closest(type.value.elementType.uppercased(), in: names).map { "did you mean '\($0)'?" }
                                            ?? "element types are " + names.joined(separator: ", ")))
                return nil
            }
            if let problem = HostLimits.tensorProblem(elementType, type.value.dimensions) {
                diagnostics.emit(.error(.tensorTooLarge, "\(elementType.name.uppercased()) \(type.value.dimensions) \(problem)",
                                        at: type.range))
                return nil
            }
            result.append(TensorType(elementType, type.value.dimensions))
        }
        return result
    }

    // MARK: - Graph

    private struct Edge {
        var producer: Int
        var output: Int?
        var consumer: Int
        var syntax: EdgeSyntax
    }

    private func resolveEdges(_ declared: [Declared]) -> Graph {
        let index = Dictionary(declared.enumerated().map { ($1.syntax.name.value, $0) }, uniquingKeysWith: { a, _ in a })
        let names = declared.map(\.syntax.name.value)
        var graph = Graph()
        var reported = Set<SourceLocation>()
        // (producer, consumer, output) of every edge kept, so a repeated edge is dropped in O(1).
        // Only RUN lines repeat edges without meaning to: `RUN a b c` and `RUN a b d` both say
        // a -> b. A YAML `inputs` entry is one input each, so `[rand, rand]` feeds rand twice (as
        // the original Rune read it) and is checked against what the consumer takes.
        let eachEdgeIsAnInput = syntax.format == .yaml
        struct EdgeKey: Hashable { var producer: Int, consumer: Int, output: Int? }
        var kept = Set<EdgeKey>()
        func lookup(_ name: Located<String>) -> Int? {
            if let found = index[name.value] { return found }
            let isKnownButBroken = syntax.unparsedStageNames.contains(name.value)
            if !isKnownButBroken, reported.insert(name.range.start).inserted {
                diagnostics.emit(.error(.unknownStage, "unknown stage '\(name.value)'", at: name.range,
                                        label: "not defined in this Runefile",
                                        help: closest(name.value, in: names).map { "did you mean '\($0)'?" }
                                            ?? (names.isEmpty ? "define the stage first" : "the stages are " + names.joined(separator: ", "))))
            }
            return nil
        }
        for edge in syntax.edges {
            let producer = lookup(edge.producer)
            let consumer = lookup(edge.consumer)
            func reject() {
                if let producer { graph.touched.insert(producer) }
                if let consumer {
                    graph.touched.insert(consumer)
                    graph.brokenInputs.insert(consumer)
                }
            }
            guard let producer, let consumer else {
                reject()
                continue
            }
            let producerKind = declared[producer].syntax.kind
            let consumerKind = declared[consumer].syntax.kind
            if producerKind == .output {
                diagnostics.emit(.error(.invalidConnection, "output '\(edge.producer.value)' cannot feed another stage",
                                        at: edge.producer.range,
                                        help: syntax.format == .yaml ? "outputs cannot be inputs" : "outputs go last in a RUN line"))
                reject()
                continue
            }
            if consumerKind == .capability {
                diagnostics.emit(.error(.invalidConnection, "capability '\(edge.consumer.value)' cannot take an input",
                                        at: edge.consumer.range,
                                        help: syntax.format == .yaml ? "capabilities have no inputs" : "capabilities go first in a RUN line"))
                reject()
                continue
            }
            guard eachEdgeIsAnInput || kept.insert(EdgeKey(producer: producer, consumer: consumer, output: edge.outputIndex)).inserted else {
                continue
            }
            graph.edges.append(Edge(producer: producer, output: edge.outputIndex, consumer: consumer, syntax: edge))
        }
        return graph
    }

    /// Declaration order, with producers moved before consumers; cycles are reported.
    ///
    /// Iterative and O((V + E) log V): the depth of the graph comes from the Runefile, so no
    /// recursion follows it.
    private func topologicalOrder(count: Int, edges: [Edge], names: [String]) -> [Int] {
        var successors = Array(repeating: [Int](), count: count)
        var firstEdge: [Int64: Int] = [:]   // producer * count + consumer -> first edge between them
        for (index, edge) in edges.enumerated() {
            successors[edge.producer].append(edge.consumer)
            let key = Int64(edge.producer) * Int64(count) + Int64(edge.consumer)
            if firstEdge[key] == nil { firstEdge[key] = index }
        }
        // Depth-first search, with an explicit stack, to find and print cycles.
        var state = Array(repeating: 0, count: count) // 0 new, 1 on stack, 2 done
        var stackPosition = Array(repeating: -1, count: count)
        var path: [Int] = []
        var nextSuccessor: [Int] = []
        var reported = Set<Set<Int>>()
        for root in 0..<count where state[root] == 0 {
            state[root] = 1
            stackPosition[root] = 0
            path.append(root)
            nextSuccessor.append(0)
            while let node = path.last {
                let position = nextSuccessor[nextSuccessor.count - 1]
                guard position < successors[node].count else {
                    path.removeLast()
                    nextSuccessor.removeLast()
                    stackPosition[node] = -1
                    state[node] = 2
                    continue
                }
                nextSuccessor[nextSuccessor.count - 1] = position + 1
                let next = successors[node][position]
                if state[next] == 1 {
                    let cycle = Array(path[stackPosition[next]...]) + [next]
                    let members = Set(cycle)
                    if reported.insert(members).inserted {
                        let edge = edges[firstEdge[Int64(node) * Int64(count) + Int64(next)]!]
                        diagnostics.emit(.error(.cycle, "the pipeline has a cycle: " + cycle.map { names[$0] }.joined(separator: " -> "),
                                                at: edge.syntax.consumer.range,
                                                help: "data must flow one way, from capabilities to outputs"))
                    }
                } else if state[next] == 0 {
                    state[next] = 1
                    stackPosition[next] = path.count
                    path.append(next)
                    nextSuccessor.append(0)
                }
            }
        }

        // Kahn's algorithm, always taking the earliest-declared ready stage (a min-heap).
        var indegree = Array(repeating: 0, count: count)
        for edge in edges { indegree[edge.consumer] += 1 }
        var order: [Int] = []
        order.reserveCapacity(count)
        var ready = MinHeap((0..<count).filter { indegree[$0] == 0 })
        while let node = ready.pop() {
            order.append(node)
            for next in successors[node] {
                indegree[next] -= 1
                if indegree[next] == 0 { ready.push(next) }
            }
        }
        return order
    }

    private func warnAboutUnusedStages(_ declared: [Declared], graph: Graph) {
        var used = graph.touched
        for edge in graph.edges {
            used.insert(edge.producer)
            used.insert(edge.consumer)
        }
        for (index, stage) in declared.enumerated() where !used.contains(index) {
            diagnostics.emit(.warning(.unusedStage, "stage '\(stage.syntax.name.value)' is never used", at: stage.syntax.name.range,
                                      help: "\(connectHelp), or remove it"))
        }
    }

    // MARK: - Types

    private func typeCheck(_ declared: [Declared], graph: Graph, order: [Int]) -> Pipeline {
        let edges = graph.edges
        // Each stage's incoming edges, in Runefile order, and the stages in any edge: computed
        // once so the walk below is linear in stages and edges.
        var incoming = Array(repeating: [Int](), count: declared.count)
        var inEdges = graph.touched
        for (index, edge) in edges.enumerated() {
            incoming[edge.consumer].append(index)
            inEdges.insert(edge.producer)
            inEdges.insert(edge.consumer)
        }
        let declarationRanges = Dictionary(syntax.stages.map { ($0.name.value, $0.name.range) }, uniquingKeysWith: { a, _ in a })
        var stages: [Stage] = []
        stages.reserveCapacity(declared.count)
        var position: [Int: Int] = [:]   // declared index -> pipeline index
        // Stages whose types could not be determined (already reported): their consumers are
        // not checked further, so one mistake gives one error.
        var unknown = Set<Int>()
        for node in order {
            let entry = declared[node]
            let name = entry.syntax.name.value
            // Inputs in the order the Runefile connects them.
            var inputs: [ValueReference] = []
            var inputTypes: [TensorType] = []
            // Where each input is connected (its RUN word or `inputs` entry), for messages.
            var inputPlaces: [SourceRange] = []
            var inputsKnown = !graph.brokenInputs.contains(node)
            for edge in incoming[node].map({ edges[$0] }) {
                guard let producer = position[edge.producer], !unknown.contains(producer) else {
                    inputsKnown = false
                    continue
                }
                let producerStage = stages[producer]
                if let output = edge.output {
                    guard output < producerStage.outputTypes.count else {
                        diagnostics.emit(.error(.invalidConnection,
                                                "'\(producerStage.name)' has \(producerStage.outputTypes.count) output\(producerStage.outputTypes.count == 1 ? "" : "s"), so it has no output \(output)",
                                                at: edge.syntax.producer.range))
                        inputsKnown = false
                        continue
                    }
                    inputs.append(ValueReference(stage: producer, output: output))
                    inputTypes.append(producerStage.outputTypes[output])
                    inputPlaces.append(edge.syntax.producer.range)
                } else {
                    for (output, type) in producerStage.outputTypes.enumerated() {
                        inputs.append(ValueReference(stage: producer, output: output))
                        inputTypes.append(type)
                        inputPlaces.append(edge.syntax.producer.range)
                    }
                }
            }
            guard let operation = entry.operation else {
                position[node] = stages.count
                unknown.insert(stages.count)
                stages.append(Stage(name: name, operation: .output(.serial, ResolvedArguments()),
                                    inputs: [], outputTypes: []))
                continue
            }
            // A stage in no edge at all was already reported as unused.
            let connected = inEdges.contains(node)
            let needsInputs = entry.syntax.kind != .capability
            if needsInputs, inputs.isEmpty, inputsKnown, connected {
                diagnostics.emit(.error(.missingInput, "stage '\(name)' has no input", at: entry.syntax.name.range,
                                        help: syntax.format == .yaml ? "give it 'inputs'" : "connect it in a RUN line after the stage that feeds it"))
            }
            if inputsKnown, let declaredInputs = entry.declaredInputs, !inputs.isEmpty {
                checkDeclaredInputs(declaredInputs, actual: inputTypes, inputs: inputs, stages: stages, entry: entry,
                                    declarationRanges: declarationRanges)
            }
            if inputsKnown, case .model(let model) = operation, entry.declaredInputs == nil, !inputs.isEmpty {
                checkModelInputs(model, actual: inputTypes, inputs: inputs, places: inputPlaces, stages: stages, entry: entry,
                                 declarationRanges: declarationRanges)
            }
            var outputTypes = inputsKnown ? self.outputTypes(entry, operation: operation, inputs: inputTypes) : nil
            // Types implied by arguments, blocks or models must fit a host too (declared ones were
            // checked when they were read).
            for type in outputTypes ?? [] {
                if let problem = HostLimits.tensorProblem(type.elementType, type.dimensions) {
                    diagnostics.emit(.error(.tensorTooLarge, "'\(name)' produces \(type), which \(problem)",
                                            at: entry.syntax.outputTypes?.first?.range ?? entry.syntax.name.range))
                    outputTypes = nil
                    break
                }
            }
            if case .output = operation, inputs.count > RuneLimits.maxManifestEntries {
                diagnostics.emit(.error(.pipelineTooLarge,
                                        "output '\(name)' takes \(inputs.count) inputs; hosts accept at most \(RuneLimits.maxManifestEntries)",
                                        at: entry.syntax.name.range, help: "spread the inputs over several outputs"))
            }
            position[node] = stages.count
            if outputTypes == nil { unknown.insert(stages.count) }
            stages.append(Stage(name: name, operation: operation, inputs: inputs, outputTypes: outputTypes ?? []))
        }
        return Pipeline(image: "runicos/base", stages: stages)
    }

    private func checkDeclaredInputs(_ declaredInputs: [TensorType], actual: [TensorType], inputs: [ValueReference],
                                     stages: [Stage], entry: Declared, declarationRanges: [String: SourceRange]) {
        let typeSyntax = entry.syntax.inputTypes ?? []
        guard declaredInputs.count == actual.count else {
            diagnostics.emit(.error(.invalidConnection,
                                    "'\(entry.syntax.name.value)' declares \(declaredInputs.count) input\(declaredInputs.count == 1 ? "" : "s") but is connected to \(actual.count)",
                                    at: typeSyntax.first?.range ?? entry.syntax.range))
            return
        }
        for (index, (declared, actualType)) in zip(declaredInputs, actual).enumerated() {
            let producer = stages[inputs[index].stage]
            let range = index < typeSyntax.count ? typeSyntax[index].range : entry.syntax.range
            let producerRange = declarationRanges[producer.name]
            if declared.elementType != actualType.elementType {
                diagnostics.emit(.error(.typeMismatch,
                                        "'\(entry.syntax.name.value)' expects \(declared) but '\(producer.name)' produces \(actualType)",
                                        at: range, label: "expected \(declared.elementType.name.uppercased()) elements",
                                        notes: [.init("'\(producer.name)' is declared here", at: producerRange)],
                                        help: "make the element types agree, or add a processing block that converts them"))
            } else if declared.dimensions != actualType.dimensions {
                diagnostics.emit(.error(.shapeMismatch,
                                        "'\(entry.syntax.name.value)' expects \(declared) but '\(producer.name)' produces \(actualType)",
                                        at: range, label: "expected \(declared.elementCount) elements, shaped \(declared.dimensions)",
                                        notes: [.init("'\(producer.name)' is declared here", at: producerRange)]))
            }
        }
    }

    /// The stage's output types, or nil after reporting why they cannot be determined.
    private func outputTypes(_ entry: Declared, operation: Operation, inputs: [TensorType]) -> [TensorType]? {
        let name = entry.syntax.name.value
        let declared = entry.declaredOutputs
        let declaredRange = entry.syntax.outputTypes?.first?.range ?? entry.syntax.range
        switch operation {
        case .output:
            return []
        case .capability(let kind, let arguments):
            let declaredType = declared?.first
            if let declared, declared.count != 1 {
                diagnostics.emit(.error(.invalidType, "a capability has exactly one output type", at: declaredRange))
                return nil
            }
            if let declaredType, !kind.elementTypes.contains(declaredType.elementType) {
                diagnostics.emit(.error(.unsupportedType, "\(kind.name) cannot produce \(declaredType.elementType.name.uppercased()) elements",
                                        at: declaredRange,
                                        help: "\(kind.name) produces " + kind.elementTypes.map { $0.name.uppercased() }.joined(separator: ", ")))
                return nil
            }
            let implied = kind.impliedType(declaredType?.elementType, arguments)
            switch (declaredType, implied) {
            case (let declaredType?, let implied?):
                if declaredType.dimensions != implied.dimensions {
                    diagnostics.emit(.error(.shapeMismatch,
                                            "'\(name)' is declared as \(declaredType) but its arguments give \(implied)",
                                            at: declaredRange, help: capabilityShapeHelp(kind)))
                    return nil
                }
                return [declaredType]
            case (let declaredType?, nil):
                return [declaredType]
            case (nil, let implied?):
                return [implied]
            case (nil, nil):
                if entry.typesFailed { return nil }
                diagnostics.emit(.error(.cannotInferType, "cannot tell what type capability '\(name)' produces",
                                        at: entry.syntax.name.range,
                                        help: "declare it, e.g. 'CAPABILITY<F32[4]> \(name) \(kind.name)'"))
                return nil
            }
        case .procBlock(let block, let arguments):
            do {
                let types = try block.outputTypes(inputs: inputs, arguments: arguments, declared: declared)
                if let declared, declared != types {
                    diagnostics.emit(.error(declared.map(\.elementType) != types.map(\.elementType) ? .typeMismatch : .shapeMismatch,
                                            "'\(name)' is declared to produce \(declared.map(\.description).joined(separator: ", ")) but \(block.name) produces \(types.map(\.description).joined(separator: ", ")) here",
                                            at: declaredRange))
                    return nil
                }
                // Equal up to unit dimensions: the declaration's shape is the one printed.
                return declared ?? types
            } catch {
                diagnostics.emit(.error(error.isElementTypeMismatch ? .typeMismatch : .shapeMismatch,
                                        "'\(name)' (\(block.name)) \(error.message)",
                                        at: entry.syntax.inputTypes?.first?.range ?? entry.syntax.name.range, help: error.help))
                return nil
            }
        case .userBlock:
            guard let declared else {
                diagnostics.emit(.error(.cannotInferType, "cannot tell what type '\(name)' produces",
                                        at: entry.syntax.name.range,
                                        help: "declare a C block's types, e.g. 'PROC_BLOCK<F32[4],F32[4]> \(name) ./block.c'"))
                return nil
            }
            return declared
        case .model(let model):
            checkDeclaredModelInputs(model, entry: entry)
            if let declared, declared != model.outputTypes {
                let mismatchedElements = declared.map(\.elementType) != model.outputTypes.map(\.elementType)
                diagnostics.emit(.error(mismatchedElements ? .typeMismatch : .shapeMismatch,
                                        "'\(name)' is declared to produce \(declared.map(\.description).joined(separator: ", ")) but the model produces \(model.outputTypes.map(\.description).joined(separator: ", "))",
                                        at: declaredRange, help: "declare the model's real output types"))
            }
            // Printed as declared; an undeclared output prints its canonical shape.
            return declared ?? model.outputTypes.map(\.canonicalized)
        }
    }

    /// A model's declared input types (the typed spelling) must be the model's own.
    private func checkDeclaredModelInputs(_ model: ModelReference, entry: Declared) {
        guard let declared = entry.declaredInputs, declared != model.inputTypes else { return }
        let mismatchedElements = declared.map(\.elementType) != model.inputTypes.map(\.elementType)
        diagnostics.emit(.error(mismatchedElements ? .typeMismatch : .shapeMismatch,
                                "'\(entry.syntax.name.value)' is declared to take \(declared.map(\.description).joined(separator: ", ")) but the model takes \(model.inputTypes.map(\.description).joined(separator: ", "))",
                                at: entry.syntax.inputTypes?.first?.range ?? entry.syntax.name.range,
                                help: "declare the model's real input types"))
    }

    /// An undeclared model's inputs, as connected, against the model's: first how many, then
    /// each one in order, every mismatch pointing at the input that causes it (its RUN word or
    /// `inputs` entry) and at the producer's declaration.
    private func checkModelInputs(_ model: ModelReference, actual: [TensorType], inputs: [ValueReference], places: [SourceRange],
                                  stages: [Stage], entry: Declared, declarationRanges: [String: SourceRange]) {
        let name = entry.syntax.name.value
        let expected = model.inputTypes
        let modelNote = Diagnostic.Note("'\(model.path)' takes \(Self.describe(expected))", at: entry.syntax.reference.range)
        if actual.count != expected.count {
            let surplus = actual.count > expected.count
            diagnostics.emit(.error(.invalidConnection,
                                    "model '\(name)' takes \(Self.count(expected.count, "input")) but is given \(actual.count)",
                                    at: surplus ? places[expected.count] : entry.syntax.name.range,
                                    label: surplus ? "input \(expected.count + 1) of \(actual.count); the model has no place for it"
                                        : "given \(Self.describe(actual))",
                                    notes: [modelNote],
                                    help: syntax.format == .yaml ? "list one entry in 'inputs' per model input, in the model's order"
                                        : "connect one stage per model input"))
        }
        for (index, (given, wanted)) in zip(actual, expected).enumerated() where given != wanted {
            let producer = stages[inputs[index].stage].name
            let elementsDiffer = given.elementType != wanted.elementType
            diagnostics.emit(.error(elementsDiffer ? .typeMismatch : .shapeMismatch,
                                    "model '\(name)' takes \(Self.asDeclared(wanted)) as input \(index + 1) but '\(producer)' produces \(Self.asDeclared(given))",
                                    at: places[index],
                                    label: elementsDiffer ? "expected \(wanted.elementType.name.uppercased()) elements"
                                        : "expected \(Self.count(wanted.elementCount, "element")), shaped \(wanted.shape)",
                                    notes: [.init("'\(producer)' is declared here", at: declarationRanges[producer]), modelNote],
                                    help: elementsDiffer ? "make the element types agree, or add a processing block that converts them" : nil))
        }
    }

    /// `F32[1, 1]`, or `F32[4], I32[2]`: as the model file or the Runefile gives them, unit
    /// dimensions included, so the user recognises them (they are compared without).
    private static func describe(_ types: [TensorType]) -> String {
        types.map(asDeclared).joined(separator: ", ")
    }

    private static func asDeclared(_ type: TensorType) -> String {
        "\(type.elementType.name.uppercased())[\(type.shape.map(String.init).joined(separator: ", "))]"
    }

    /// `1 input`, `2 inputs`.
    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    private func capabilityShapeHelp(_ kind: CapabilityKind) -> String {
        switch kind {
        case .sound: "a SOUND reading holds hz * sample_duration_ms / 1000 samples, or 'samples'"
        case .image: "an IMAGE is height x width x channels (1 for GrayScale, 3 for RGB and BGR)"
        case .accel: "an ACCEL reading is n x 3"
        case .raw: "'length' is the input's size in bytes"
        case .rand: "make the declared type and the arguments agree"
        }
    }
}

/// A binary min-heap of stage indices.
struct MinHeap {
    private var items: [Int] = []

    init(_ values: [Int]) {
        for value in values { push(value) }
    }

    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count, items[left] < items[smallest] { smallest = left }
                if right < items.count, items[right] < items[smallest] { smallest = right }
                guard smallest != parent else { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
