import Foundation
import RuneFiles
import RuneManifest

/// What to produce.
public enum EmitKind: String, Sendable, CaseIterable {
    /// The `.rune` WebAssembly module (or firmware for Cortex-M).
    case binary = "wasm"
    /// The generated C of the main translation unit.
    case c
    /// LLVM IR after whole-program optimization.
    case llvmIR = "llvm-ir"
    /// The checked pipeline IR.
    case ir
    /// The parsed Runefile, before checking.
    case syntax
}

/// How to compile.
public struct CompilerOptions: Sendable {
    public var emit: EmitKind
    public var target: CompilationTarget
    public var optimization: OptimizationLevel
    public var debugInfo: Bool
    /// The board, embedded inputs and run settings of `--target cortex-m7` builds.
    public var firmware: FirmwareOptions

    public init(emit: EmitKind = .binary, target: CompilationTarget = .wasm32, optimization: OptimizationLevel = .size,
                debugInfo: Bool = false, firmware: FirmwareOptions = FirmwareOptions()) {
        self.emit = emit
        self.target = target
        self.optimization = optimization
        self.debugInfo = debugInfo
        self.firmware = firmware
    }
}

/// The outcome of a compilation: diagnostics always, an artifact when there were no errors.
public struct CompilationResult: Sendable {
    public var diagnostics: [Diagnostic]
    /// Every file diagnostics may quote.
    public var sources: [SourceFile]
    public var pipeline: Pipeline?
    public var manifest: Manifest?
    /// The requested artifact: module bytes, or UTF-8 text for `c`, `llvm-ir` and `ir`.
    public var artifact: [UInt8]?
    /// Flash and RAM use of a firmware build.
    public var firmwareSize: FirmwareSize?

    public var succeeded: Bool { artifact != nil && !diagnostics.contains { $0.severity == .error } }

    /// The diagnostics as rustc-style text.
    public func renderedDiagnostics(colored: Bool = false) -> String {
        DiagnosticRenderer(sources: sources, colored: colored).render(diagnostics)
    }
}

/// The compiler driver: Runefile in, rune out.
///
/// parse (Syntax) -> check and lower (Semantics -> IR) -> generate C (CodeGen) -> clang, LLVM
/// and lld in-process (Toolchain).
public struct Compiler: Sendable {
    public var modelCompiler: any ModelCompiling
    public var toolchain: Toolchain

    public init(modelCompiler: any ModelCompiling = TFLiteModelCompiler(), toolchain: Toolchain = Toolchain()) {
        self.modelCompiler = modelCompiler
        self.toolchain = toolchain
    }

    /// Parses a Runefile (`Runefile.yml`/`.yaml` as YAML, anything else as a Runefile).
    public func parse(_ file: SourceFile, diagnostics: DiagnosticEngine) -> RunefileSyntax {
        let isYAML = file.path.hasSuffix(".yml") || file.path.hasSuffix(".yaml")
        return isYAML ? YAMLRunefileParser(file: file, diagnostics: diagnostics).parse()
            : RunefileParser(file: file, diagnostics: diagnostics).parse()
    }

    /// Reads `path`: a Runefile, or a folder holding `Runefile` or `Runefile.yml`.
    public static func locateRunefile(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return path
        }
        for name in ["Runefile", "Runefile.yml", "Runefile.yaml"] {
            let candidate = (path as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return (path as NSString).appendingPathComponent("Runefile")
    }

    public func compile(path: String, options: CompilerOptions = CompilerOptions()) -> CompilationResult {
        let runefile = Compiler.locateRunefile(path)
        let data: [UInt8]
        do {
            data = try BoundedFile.read(runefile, limit: RuneLimits.maxRunefileBytes, regularFileOnly: true)
        } catch {
            return CompilationResult(diagnostics: [.error(.missingFile, "cannot read '\(runefile)': \(error)", at: nil,
                                                          help: error == .missing ? nil : "a Runefile is a text file of at most \(BoundedFile.describe(bytes: RuneLimits.maxRunefileBytes))")],
                                     sources: [], pipeline: nil, manifest: nil, artifact: nil)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return CompilationResult(diagnostics: [.error(.syntax, "'\(runefile)' is not UTF-8 text", at: nil)],
                                     sources: [], pipeline: nil, manifest: nil, artifact: nil)
        }
        return compile(SourceFile(path: runefile, text: text), options: options)
    }

    public func compile(_ file: SourceFile, options: CompilerOptions = CompilerOptions()) -> CompilationResult {
        let diagnostics = DiagnosticEngine()
        var result = CompilationResult(diagnostics: [], sources: [file], pipeline: nil, manifest: nil, artifact: nil)
        defer { result.diagnostics = diagnostics.diagnostics }

        let syntax = parse(file, diagnostics: diagnostics)
        if options.emit == .syntax {
            result.artifact = diagnostics.hasErrors ? nil : Array(SyntaxPrinter().print(syntax).utf8)
            result.diagnostics = diagnostics.diagnostics
            return result
        }
        let pipeline = PipelineChecker(syntax: syntax, diagnostics: diagnostics, modelReader: modelCompiler).check()
        guard !diagnostics.hasErrors else {
            result.diagnostics = diagnostics.diagnostics
            return result
        }
        result.pipeline = pipeline
        if options.emit == .ir {
            result.artifact = Array(PipelinePrinter().print(pipeline).utf8)
            result.diagnostics = diagnostics.diagnostics
            return result
        }

        let stem = Compiler.runeName(for: file.path)
        let generated: GeneratedRune
        do {
            generated = try RuneCodeGenerator(pipeline: pipeline, unitName: "\(stem).rune.c",
                                              sourceName: URL(fileURLWithPath: file.path).lastPathComponent, target: options.target,
                                              optimization: options.optimization, debugInfo: options.debugInfo,
                                              modelCompiler: modelCompiler).generate()
        } catch let error as ModelError {
            // The checker read every model already; a model that fails only now is still the
            // model's problem, so it is reported against its stage.
            diagnostics.emit(.error(.invalidModel, error.message, at: modelRange(in: file, message: error.message)))
            result.diagnostics = diagnostics.diagnostics
            return result
        } catch {
            diagnostics.emit(.internalError("code generation failed", error))
            result.diagnostics = diagnostics.diagnostics
            return result
        }
        result.manifest = generated.manifest
        if options.emit == .c {
            result.artifact = Array(generated.source.utf8)
            result.diagnostics = diagnostics.diagnostics
            return result
        }
        var plan = generated.plan
        plan.confineUserBlocks(to: (file.path as NSString).deletingLastPathComponent)
        if options.target == .cortexM7 {
            let planner = FirmwarePlanner(options: options.firmware, manifest: generated.manifest)
            let inputs = planner.embeddedInputs(diagnostics: diagnostics)
            guard !diagnostics.hasErrors else {
                result.diagnostics = diagnostics.diagnostics
                return result
            }
            plan = planner.plan(from: plan, inputs: inputs)
        }
        do {
            if options.emit == .llvmIR {
                result.artifact = Array(try toolchain.emitIR(plan).utf8)
            } else {
                let product = try toolchain.build(plan)
                report(product.warnings, into: diagnostics, result: &result)
                if options.target == .wasm32 {
                    let withManifest = WasmCustomSection.append(name: Manifest.sectionName, payload: generated.manifest.encoded(),
                                                                to: product.binary)
                    result.artifact = WasmCustomSection.append(name: PipelineDescription.sectionName,
                                                               payload: generated.description.encoded(), to: withManifest)
                } else {
                    let image = try ELFImage(product.binary)
                    let arena = generated.manifest.models.reduce(0) { $0 + $1.arenaBytes }
                    result.firmwareSize = FirmwarePlanner.size(of: image, arenaBytes: arena)
                    result.artifact = product.binary
                }
            }
        } catch let error as ToolchainError {
            if case .link(let message) = error, message.contains("will not fit in region") || message.contains("overflowed") {
                let board = options.firmware.board
                diagnostics.emit(.error(.imageTooLarge, "the firmware does not fit board \(board.name): \(FirmwarePlanner.overflowSummary(message))", at: nil,
                                        help: "\(board.name) has \(board.flash.bytes / 1024) KB of flash for the application and "
                                            + board.ram.map { "\($0.bytes / 1024) KB of \($0.name)" }.joined(separator: " and ")
                                            + "; try -Os or a smaller model"))
            } else {
                report(error, generatedUnit: generated.plan.units[0].path, into: diagnostics, result: &result)
            }
        } catch {
            diagnostics.emit(.internalError("the linked firmware is not a valid ELF file", error))
        }
        result.diagnostics = diagnostics.diagnostics
        return result
    }

    /// `examples/microspeech/Runefile` -> `microspeech`.
    public static func runeName(for runefilePath: String) -> String {
        let url = URL(fileURLWithPath: runefilePath)
        let name = url.deletingPathExtension().lastPathComponent
        if ["Runefile", "runefile"].contains(name) {
            let folder = url.deletingLastPathComponent().lastPathComponent
            return folder.isEmpty || folder == "/" || folder == "." ? "rune" : folder
        }
        return name
    }

    /// clang's complaints about a user's block become located diagnostics in their file.
    private func report(_ error: Error, generatedUnit: String, into diagnostics: DiagnosticEngine,
                        result: inout CompilationResult) {
        guard case ToolchainError.compilation(let unit, let clangDiagnostics) = error, unit != generatedUnit,
              !unit.hasPrefix(RuntimeLibrary.root) else {
            diagnostics.emit(.internalError("the generated C does not compile", error))
            return
        }
        report(clangDiagnostics, into: diagnostics, result: &result)
    }

    private func report(_ clangDiagnostics: [ClangDiagnostic], into diagnostics: DiagnosticEngine,
                        result: inout CompilationResult) {
        for diagnostic in clangDiagnostics where diagnostic.severity != .note {
            let location = diagnostic.file.isEmpty ? nil
                : SourceRange(SourceLocation(file: diagnostic.file, line: diagnostic.line, column: max(1, diagnostic.column)))
            if !diagnostic.file.isEmpty, !diagnostic.file.hasPrefix("/rune/"),
               !result.sources.contains(where: { $0.path == diagnostic.file }),
               let text = try? String(contentsOfFile: diagnostic.file, encoding: .utf8) {
                result.sources.append(SourceFile(path: diagnostic.file, text: text))
            }
            if diagnostic.severity == .error {
                diagnostics.emit(.error(.blockCompilation, diagnostic.message, at: location))
            } else if !diagnostic.file.hasPrefix("/rune/") {
                diagnostics.emit(.warning(.blockWarning, diagnostic.message, at: location))
            }
        }
    }
}

extension Compiler {
    /// Where the Runefile names the model a code-generation error is about: the error's
    /// message starts with `model 'PATH'`.
    fileprivate func modelRange(in file: SourceFile, message: String) -> SourceRange? {
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
