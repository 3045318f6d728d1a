import Foundation

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
        /// For a user's block: the folder it may read files from (the Runefile's). The unit is then
        /// compiled as untrusted C: confined to that folder and the runtime headers, bounded,
        /// without inline assembly, and calling nothing it does not define but the rune ABI.
        /// nil for runec's own sources.
        public var confinement: String?
        public init(path: String, source: String?, definitions: [String] = [], confinement: String? = nil) {
            self.path = path
            self.source = source
            self.definitions = definitions
            self.confinement = confinement
        }

        /// Whether this is C a user wrote.
        public var isUserBlock: Bool { confinement != nil }
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
    /// Relocatable objects made elsewhere, linked with the compiled units (firmware running a
    /// rune the AOT engine translated: its object).
    public var objects: [[UInt8]] = []

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

    /// Confines every user block to `folder`, the Runefile's folder (by default a block is
    /// confined to its own folder).
    /// Confines each user block under `root` to its own folder (a base rune's unpacked blocks).
    public mutating func confineUserBlocks(under root: String) {
        for index in units.indices where units[index].isUserBlock && units[index].path.hasPrefix(root + "/") {
            units[index].confinement = (units[index].path as NSString).deletingLastPathComponent
        }
    }

    public mutating func confineUserBlocks(to folder: String) {
        let absolute = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.path
        for index in units.indices where units[index].isUserBlock {
            units[index].confinement = absolute
        }
    }
}
