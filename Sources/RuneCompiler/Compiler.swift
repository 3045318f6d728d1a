import Foundation
import RuneFrontEnd
import RuneManifest
import RuneModels

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
    /// `FROM REGISTRY/REPO:TAG` finds its base in the pull cache only, never on a network.
    public var offline: Bool
    /// Store the Runefile and its files in the rune (`rune.sources`), so it can be a `FROM` base.
    public var storeSources: Bool
    /// Files that give Runefile.yml resources their values (`--resource NAME=FILE`), by name.
    public var resources: [String: String]

    public init(emit: EmitKind = .binary, target: CompilationTarget = .wasm32, optimization: OptimizationLevel = .size,
                debugInfo: Bool = false, firmware: FirmwareOptions = FirmwareOptions(), offline: Bool = false,
                storeSources: Bool = true, resources: [String: String] = [:]) {
        self.resources = resources
        self.offline = offline
        self.storeSources = storeSources
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
/// and lld in-process (Toolchain). Each compilation is a ``CompilationSession``.
public struct Compiler: Sendable {
    public var modelCompiler: any ModelCompiling
    public var toolchain: any ToolchainExecutor
    /// Where `FROM REGISTRY/REPO:TAG` finds its base (runec passes RuneRegistry's
    /// `RegistryBaseRuneProvider`); with nil, such a Runefile is an error.
    public var baseProvider: (any BaseRuneProvider)?

    public init(modelCompiler: any ModelCompiling = TFLiteModelCompiler(), toolchain: any ToolchainExecutor = Toolchain(),
                baseProvider: (any BaseRuneProvider)? = nil) {
        self.modelCompiler = modelCompiler
        self.toolchain = toolchain
        self.baseProvider = baseProvider
    }

    /// Parses a Runefile (`Runefile.yml`/`.yaml` as YAML, anything else as a Runefile).
    public func parse(_ file: SourceFile, diagnostics: DiagnosticEngine) -> RunefileSyntax {
        Compiler.parse(file, diagnostics: diagnostics)
    }

    static func parse(_ file: SourceFile, diagnostics: DiagnosticEngine) -> RunefileSyntax {
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

    /// A session compiling `input` with this compiler's model compiler and toolchain.
    public func session(_ input: CompilationSession.Input, options: CompilerOptions = CompilerOptions()) -> CompilationSession {
        CompilationSession(input, options: options, modelCompiler: modelCompiler, toolchain: toolchain,
                           baseProvider: baseProvider)
    }

    /// Compiles the Runefile at `path` (or in the folder `path`).
    public func compile(path: String, options: CompilerOptions = CompilerOptions()) -> CompilationResult {
        session(.path(path), options: options).run()
    }

    public func compile(_ file: SourceFile, options: CompilerOptions = CompilerOptions()) -> CompilationResult {
        session(.source(file), options: options).run()
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
}
