/// Everything the toolchain needs to turn generated C into a linked binary.
///
/// Code generation decides *what* to build and produces a plan; `Toolchain` decides *how*. Tests
/// read plans without running LLVM.
public struct BuildPlan: Sendable {
    /// A C file compiled on its own into a module.
    public struct TranslationUnit: Sendable {
        /// The path clang reports in diagnostics; in memory unless `source` is nil.
        public var path: String
        /// The text, or nil to read `path` from disk (a user's processing block).
        public var source: String?
        /// Extra `-D` definitions for this unit only.
        public var definitions: [String]
        public init(path: String, source: String?, definitions: [String] = []) {
            self.path = path
            self.source = source
            self.definitions = definitions
        }
    }

    public var target: CompilationTarget
    public var optimization: OptimizationLevel
    /// Keep symbol names and debug information.
    public var debugInfo: Bool
    public var units: [TranslationUnit]
    /// Headers and sources visible to `#include`, keyed by absolute virtual path.
    public var headers: [String: String]
    /// Directories searched by `#include`.
    public var includeDirectories: [String]
    /// Symbols that stay visible after whole-program optimization.
    public var exportedSymbols: [String]
    /// Extra linker arguments.
    public var linkerArguments: [String]
    /// The text of a linker script (firmware's memory layout), or nil.
    public var linkerScript: String?

    public init(target: CompilationTarget, optimization: OptimizationLevel, debugInfo: Bool,
                units: [TranslationUnit], headers: [String: String], includeDirectories: [String],
                exportedSymbols: [String], linkerArguments: [String]) {
        self.target = target
        self.optimization = optimization
        self.debugInfo = debugInfo
        self.units = units
        self.headers = headers
        self.includeDirectories = includeDirectories
        self.exportedSymbols = exportedSymbols
        self.linkerArguments = linkerArguments
    }
}
