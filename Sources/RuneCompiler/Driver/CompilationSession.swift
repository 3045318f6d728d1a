import Foundation
import RuneFiles
import RuneFrontEnd
import RuneManifest
import RuneModels

/// One compilation of one Runefile, shaped like swift-driver's `Driver`: the session owns the
/// options, the sources diagnostics may quote, and the one `DiagnosticEngine` every phase reports
/// into, and the result is assembled once, from the session, whichever phase the compilation
/// stopped at.
///
/// Each phase is a method with a typed result:
///
///     read() -> SourceFile                     the Runefile
///     parse() -> RunefileSyntax                Syntax; recovers from errors, never stops
///     compose(_:) -> RunefileSyntax            laid over a FROM base rune
///     supply(_:) -> RunefileSyntax             resources from --resource NAME=FILE
///     check(_:) -> Pipeline                    Semantics -> IR
///     generate(_:) -> GeneratedRune            CodeGen: C, manifest, build plan
///     plan(_:) -> BuildPlan                    the rune's plan, or firmware's
///     emitLLVMIR(_:) -> String                 Toolchain, stopping at LLVM IR
///     build(_:of:) -> Artifact                 Toolchain: the linked rune or firmware
///
/// A phase that cannot go on throws ``Stop``: `.diagnosed` when the input has errors, already in
/// ``diagnostics``; `.internalError` for a bug in runec, which ``run()`` reports once, as E0900.
/// ``run()`` runs the phases `--emit` asks for, chosen by one switch.
public final class CompilationSession {
    /// What to compile.
    public enum Input: Sendable {
        /// A Runefile, `Runefile.yml`, or a folder holding one, read from disk.
        case path(String)
        /// A Runefile already in memory.
        case source(SourceFile)
    }

    /// Why a phase stopped the compilation.
    public enum Stop: Error, Equatable {
        /// The input has errors; they are in the session's diagnostics.
        case diagnosed
        /// runec failed; reported by `run()` as E0900, never under a user's code.
        case internalError(InternalError)
    }

    /// What the last phase produced: the rune, the firmware, or text.
    public struct Artifact: Sendable {
        public var bytes: [UInt8]
        /// Flash and RAM use of a firmware build.
        public var firmwareSize: FirmwareSize?

        public init(bytes: [UInt8], firmwareSize: FirmwareSize? = nil) {
            self.bytes = bytes
            self.firmwareSize = firmwareSize
        }

        static func text(_ text: String) -> Artifact { Artifact(bytes: Array(text.utf8)) }
    }

    public let input: Input
    public let options: CompilerOptions
    /// Every diagnostic of every phase.
    public let diagnostics = DiagnosticEngine()
    /// Every file diagnostics may quote: the Runefile, then user blocks clang complained about.
    public private(set) var sources: [SourceFile] = []
    /// The Runefile, once `read()` has read it.
    public private(set) var runefile: SourceFile?
    /// The checked pipeline, once `check(_:)` has accepted it.
    public private(set) var pipeline: Pipeline?
    /// The manifest, once `generate(_:)` has produced it.
    public private(set) var manifest: Manifest?
    /// The parsed Runefile, once parsed: later phases point their diagnostics into it.
    public private(set) var syntax: RunefileSyntax?

    /// The base a `FROM REGISTRY/REPO:TAG` was built on, once ``compose(_:)`` found it.
    public private(set) var lineage: RuneLineage?

    let modelCompiler: any ModelCompiling
    let toolchain: any ToolchainExecutor
    let baseProvider: (any BaseRuneProvider)?
    /// The private folder holding a base rune's unpacked files, removed when ``run()`` ends.
    private var baseFolder: String?

    public init(_ input: Input, options: CompilerOptions = CompilerOptions(),
                modelCompiler: any ModelCompiling = TFLiteModelCompiler(),
                toolchain: any ToolchainExecutor = Toolchain(),
                baseProvider: (any BaseRuneProvider)? = nil) {
        self.input = input
        self.options = options
        self.modelCompiler = modelCompiler
        self.toolchain = toolchain
        self.baseProvider = baseProvider
    }

    /// A caller that runs the phases itself, without ``run()``, still leaves no base files behind.
    deinit { removeBaseFolder() }

    private func removeBaseFolder() {
        if let baseFolder { try? FileManager.default.removeItem(atPath: baseFolder) }
        baseFolder = nil
    }

    // MARK: The driver

    /// Runs the phases `options.emit` asks for and assembles the result. Call once.
    public func run() -> CompilationResult {
        var artifact: Artifact?
        defer { removeBaseFolder() }
        do throws(Stop) {
            artifact = try runPhases()
        } catch {
            switch error {
            case .internalError(let internalError):
                diagnostics.emit(internalError.diagnostic)
            case .diagnosed:
                // A phase that stops must have said why; if not, that is runec's bug, not silence.
                if !diagnostics.hasErrors {
                    diagnostics.emit(InternalError("a compilation phase stopped without reporting an error", "no diagnostic").diagnostic)
                }
            }
        }
        // An artifact only when there were no errors.
        let produced = diagnostics.hasErrors ? nil : artifact
        return CompilationResult(diagnostics: diagnostics.diagnostics, sources: sources, pipeline: pipeline,
                                 manifest: manifest, artifact: produced?.bytes, firmwareSize: produced?.firmwareSize)
    }

    /// Where each `--emit` kind stops.
    private func runPhases() throws(Stop) -> Artifact {
        _ = try read()
        let syntax = try supply(try compose(parse()))
        switch options.emit {
        case .syntax:
            try stopOnErrors()
            return .text(SyntaxPrinter().print(syntax))
        case .ir:
            return .text(PipelinePrinter().print(try check(syntax)))
        case .c:
            return .text(try generate(try check(syntax)).source)
        case .llvmIR:
            return .text(try emitLLVMIR(try plan(try generate(try check(syntax)))))
        case .binary:
            let generated = try generate(try check(syntax))
            return try build(try plan(generated), of: generated)
        }
    }

    // MARK: Phases

    /// Reads the Runefile (a folder's `Runefile`, `Runefile.yml` or `Runefile.yaml`).
    @discardableResult
    public func read() throws(Stop) -> SourceFile {
        let file: SourceFile
        switch input {
        case .source(let source):
            file = source
        case .path(let path):
            let location = Compiler.locateRunefile(path)
            let data: [UInt8]
            do {
                data = try BoundedFile.read(location, limit: RuneLimits.maxRunefileBytes, regularFileOnly: true)
            } catch {
                diagnostics.emit(.error(.missingFile, "cannot read '\(location)': \(error)", at: nil,
                                        help: error == .missing ? nil : "a Runefile is a text file of at most \(BoundedFile.describe(bytes: RuneLimits.maxRunefileBytes))"))
                throw .diagnosed
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                diagnostics.emit(.error(.syntax, "'\(location)' is not UTF-8 text", at: nil))
                throw .diagnosed
            }
            file = SourceFile(path: location, text: text)
        }
        runefile = file
        sources.append(file)
        return file
    }

    /// Parses the Runefile. Errors are reported and recovered from: checking still runs, so one
    /// compilation reports the errors of both.
    public func parse() -> RunefileSyntax {
        let parsed = Compiler.parse(requireRunefile(), diagnostics: diagnostics)
        syntax = parsed
        return parsed
    }

    /// Lays the Runefile over its base rune when its `FROM` is a registry reference
    /// (`localhost:5000/hotg/microspeech:1`); returns any other Runefile as it is.
    public func compose(_ syntax: RunefileSyntax) throws(Stop) -> RunefileSyntax {
        guard let image = syntax.image, ImageReference.namesRegistry(image.value) else { return syntax }
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: image.value)
        } catch {
            diagnostics.emit(.error(.unknownBase, "'\(image.value.prefix(80))' is not a valid registry reference: \(error)", at: image.range,
                                    help: "write REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST, e.g. 'localhost:5000/hotg/microspeech:1'"))
            throw .diagnosed
        }
        guard let baseProvider else {
            diagnostics.emit(.error(.unknownBase, "this compiler was given no way to find base rune '\(reference)'", at: image.range,
                                    help: "runec finds bases in the pull cache and the registry; a program using RuneCompiler passes a BaseRuneProvider"))
            throw .diagnosed
        }
        let base: BaseRune
        do {
            base = try baseProvider.baseRune(for: reference, offline: options.offline)
        } catch {
            diagnostics.emit(.error(.unknownBase, "cannot use base rune '\(reference)': \(error.message)", at: image.range, help: error.help))
            throw .diagnosed
        }
        // Checked here too: the cache may be damaged, and a provider may be wrong.
        let digest = "sha256:" + SHA256.hexHash(base.bytes)
        guard digest == base.runeDigest, reference.digest == nil || reference.digest == base.manifestDigest else {
            diagnostics.emit(.error(.unknownBase, "base rune '\(reference)' does not match the digests it was found under (rune \(digest), expected \(base.runeDigest); manifest \(base.manifestDigest))",
                                    at: image.range, help: "pull it again"))
            throw .diagnosed
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runec-base-\(UUID().uuidString)").path
        baseFolder = folder
        guard let composition = BaseComposer(diagnostics: diagnostics)
            .compose(syntax, image: image, reference: reference, base: base, folder: folder) else {
            throw .diagnosed
        }
        sources.append(composition.baseFile)
        lineage = composition.lineage
        return composition.syntax
    }

    /// Gives resources the files ``CompilerOptions/resources`` names (`--resource NAME=FILE`);
    /// stops on a mistake in them, which checking would only report again as a missing value.
    public func supply(_ syntax: RunefileSyntax) throws(Stop) -> RunefileSyntax {
        guard !options.resources.isEmpty else { return syntax }
        let errors = diagnostics.diagnostics.count(where: { $0.severity == .error })
        let supplied = ResourceSupplier(diagnostics: diagnostics).supply(options.resources, to: syntax)
        guard diagnostics.diagnostics.count(where: { $0.severity == .error }) == errors else { throw .diagnosed }
        // The rune stores the supplied files with its Runefile. A derived rune stores only its
        // own Runefile (and is never a base), so only a whole Runefile's parse takes them.
        if lineage == nil { self.syntax = supplied }
        return supplied
    }

    /// Checks the syntax and lowers it to the pipeline IR; stops if any phase so far has errors.
    public func check(_ syntax: RunefileSyntax) throws(Stop) -> Pipeline {
        let checked = PipelineChecker(syntax: syntax, diagnostics: diagnostics, modelReader: modelCompiler).check()
        try stopOnErrors()
        pipeline = checked
        return checked
    }

    /// Generates the C, the manifest and the build plan of a checked pipeline.
    public func generate(_ pipeline: Pipeline) throws(Stop) -> GeneratedRune {
        let file = requireRunefile()
        let generated: GeneratedRune
        do {
            generated = try RuneCodeGenerator(pipeline: pipeline, unitName: "\(Compiler.runeName(for: file.path)).rune.c",
                                              sourceName: URL(fileURLWithPath: file.path).lastPathComponent, target: options.target,
                                              optimization: options.optimization, debugInfo: options.debugInfo,
                                              modelCompiler: modelCompiler).generate()
        } catch let error as ModelError {
            // The checker read every model already; a model that fails only now is still the
            // model's problem, so it is reported against its stage.
            diagnostics.emit(.error(.invalidModel, error.message, at: modelRange(in: file, message: error.message)))
            throw .diagnosed
        } catch {
            throw .internalError(InternalError("code generation failed", error))
        }
        manifest = generated.manifest
        return generated
    }

    /// What the toolchain builds: the rune's plan with user blocks confined to the Runefile's
    /// folder, and for firmware, the Cortex-M runtime, the board and the embedded inputs.
    public func plan(_ generated: GeneratedRune) throws(Stop) -> BuildPlan {
        var plan = generated.plan
        plan.confineUserBlocks(to: (requireRunefile().path as NSString).deletingLastPathComponent)
        if let baseFolder {
            // A base's blocks were unpacked each into its own folder there.
            plan.confineUserBlocks(under: baseFolder)
        }
        switch options.target {
        case .wasm32:
            return plan
        case .cortexM7:
            let planner = FirmwarePlanner(options: options.firmware, manifest: generated.manifest)
            planner.checkBoardCapabilities(declaredAt: capabilityKindRanges(), diagnostics: diagnostics)
            let inputs = planner.embeddedInputs(diagnostics: diagnostics)
            try stopOnErrors()
            return planner.plan(from: plan, inputs: inputs)
        }
    }

    /// The optimized, linked LLVM IR of `plan`.
    public func emitLLVMIR(_ plan: BuildPlan) throws(Stop) -> String {
        do {
            return try toolchain.emitIR(plan)
        } catch {
            throw diagnose(error, in: plan)
        }
    }

    /// Compiles and links `plan`: a `.rune` carrying its manifest and pipeline description, or
    /// a firmware image and its size.
    public func build(_ plan: BuildPlan, of generated: GeneratedRune) throws(Stop) -> Artifact {
        let product: BuildProduct
        do {
            product = try toolchain.build(plan)
        } catch {
            throw diagnose(error, in: plan)
        }
        report(product.warnings)
        switch options.target {
        case .wasm32:
            var rune = WasmCustomSection.append(name: Manifest.sectionName, payload: generated.manifestBlob,
                                                to: product.binary)
            rune = WasmCustomSection.append(name: PipelineDescription.sectionName,
                                            payload: generated.description.encoded(), to: rune)
            // What another Runefile's FROM builds on: this Runefile and its files as written.
            if options.storeSources {
                guard let syntax, let stored = RuneSourcesCollector(diagnostics: diagnostics).collect(syntax) else {
                    throw .diagnosed
                }
                rune = WasmCustomSection.append(name: RuneSources.sectionName, payload: stored.encoded(), to: rune)
            }
            if let lineage {
                rune = WasmCustomSection.append(name: RuneLineage.sectionName, payload: lineage.encoded(), to: rune)
            }
            return Artifact(bytes: rune)
        case .cortexM7:
            let image: ELFImage
            do {
                image = try ELFImage(product.binary)
            } catch {
                throw .internalError(InternalError("the linked firmware is not a valid ELF file", error))
            }
            let arena = generated.manifest.models.reduce(0) { $0 + $1.arenaBytes }
            return Artifact(bytes: product.binary, firmwareSize: FirmwarePlanner.size(of: image, arenaBytes: arena))
        }
    }

    // MARK: Helpers

    /// Stops the compilation if any phase so far reported an error.
    public func stopOnErrors() throws(Stop) {
        if diagnostics.hasErrors { throw .diagnosed }
    }

    private func requireRunefile() -> SourceFile {
        guard let runefile else { preconditionFailure("a compilation phase ran before read()") }
        return runefile
    }

    /// Whose fault a toolchain failure is: firmware too large for its board and a user's block
    /// that does not compile are the user's; anything else (the generated C or the runtime
    /// failing, LLVM or lld failing on them) is runec's.
    private func diagnose(_ error: ToolchainError, in plan: BuildPlan) -> Stop {
        if case .link(let message) = error, message.contains("will not fit in region") || message.contains("overflowed") {
            let board = options.firmware.board
            diagnostics.emit(.error(.imageTooLarge, "the firmware does not fit board \(board.name): \(FirmwarePlanner.overflowSummary(message))", at: nil,
                                    help: "\(board.name) has \(board.flash.bytes / 1024) KB of flash for the application and "
                                        + board.ram.map { "\($0.bytes / 1024) KB of \($0.name)" }.joined(separator: " and ")
                                        + "; try -Os or a smaller model"))
            return .diagnosed
        }
        guard case .compilation(let unit, let clangDiagnostics) = error, unit != plan.units.first?.path,
              !unit.hasPrefix(RuntimeLibrary.root) else {
            return .internalError(InternalError("the generated C does not compile", error))
        }
        report(clangDiagnostics)
        return .diagnosed
    }

    /// clang's complaints about a user's block become located diagnostics in their file.
    private func report(_ clangDiagnostics: [ClangDiagnostic]) {
        for diagnostic in clangDiagnostics where diagnostic.severity != .note {
            let location = diagnostic.file.isEmpty ? nil
                : SourceRange(SourceLocation(file: diagnostic.file, line: diagnostic.line, column: max(1, diagnostic.column)))
            if !diagnostic.file.isEmpty, !diagnostic.file.hasPrefix("/rune/"),
               !sources.contains(where: { $0.path == diagnostic.file }),
               let text = try? String(contentsOfFile: diagnostic.file, encoding: .utf8) {
                sources.append(SourceFile(path: diagnostic.file, text: text))
            }
            if diagnostic.severity == .error {
                diagnostics.emit(.error(.blockCompilation, diagnostic.message, at: location))
            } else if !diagnostic.file.hasPrefix("/rune/") {
                diagnostics.emit(.warning(.blockWarning, diagnostic.message, at: location))
            }
        }
    }

    /// Where the Runefile names the model a code-generation error is about: the error's
    /// message starts with `model 'PATH'`.
    /// Where each capability's kind is written in the Runefile, by capability name.
    private func capabilityKindRanges() -> [String: SourceRange] {
        var ranges: [String: SourceRange] = [:]
        for stage in syntax?.stages ?? [] where stage.kind == .capability && ranges[stage.name.value] == nil {
            ranges[stage.name.value] = stage.reference.range
        }
        return ranges
    }

    private func modelRange(in file: SourceFile, message: String) -> SourceRange? {
        guard let start = message.range(of: "model '"), let end = message[start.upperBound...].firstIndex(of: "'") else { return nil }
        let path = String(message[start.upperBound..<end])
        for (index, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let column = line.range(of: path) {
                return SourceRange(SourceLocation(file: file.path, line: index + 1,
                                                  column: line.distance(from: line.startIndex, to: column.lowerBound) + 1),
                                   length: path.count)
            }
        }
        return nil
    }
}
