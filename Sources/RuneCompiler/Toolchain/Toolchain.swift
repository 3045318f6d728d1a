internal import CLLVM
internal import CLLVMBridge
import Foundation

/// What a build produced.
public struct BuildProduct: Sendable {
    /// The linked module or firmware image (empty when only IR was requested).
    public var binary: [UInt8]
    /// clang's warnings about the generated or user-written C.
    public var warnings: [ClangDiagnostic]

    public init(binary: [UInt8], warnings: [ClangDiagnostic]) {
        self.binary = binary
        self.warnings = warnings
    }
}

/// What a compilation session asks of a toolchain, as swift-driver asks a `DriverExecutor`:
/// ``Toolchain`` is the one runec uses; tests substitute their own.
public protocol ToolchainExecutor: Sendable {
    /// Compiles and links `plan` into a binary.
    func build(_ plan: BuildPlan) throws(ToolchainError) -> BuildProduct
    /// The optimized, linked LLVM IR of `plan`, as text.
    func emitIR(_ plan: BuildPlan) throws(ToolchainError) -> String
}

/// The in-process compiler toolchain: clang for C, the LLVM C API for whole-program
/// optimization and code generation, lld for linking. No subprocess is started.
///
/// Every step that sees a user's C runs on a large stack under crash recovery (see
/// CLLVMBridge.h): a crash or an LLVM fatal error is an error, and the process stays usable.
public struct Toolchain: ToolchainExecutor {
    public init() {}

    /// Compiles and links `plan` into a binary.
    public func build(_ plan: BuildPlan) throws(ToolchainError) -> BuildProduct {
        let (object, warnings, symbols) = try compileAndOptimize(plan) { module, backend, machine throws(ToolchainError) in
            try backend.emitObject(module, machine: machine)
        }
        let binary: [UInt8]
        do {
            binary = try Linker(plan: plan).link(object: object)
        } catch {
            throw UserBlockSymbols(plan: plan, symbols: symbols).blame(error)
        }
        if plan.target == .wasm32 {
            try UserBlockSymbols(plan: plan, symbols: symbols).checkImports(of: binary)
        }
        return BuildProduct(binary: binary, warnings: warnings)
    }

    /// The optimized, linked LLVM IR of `plan`, as text.
    public func emitIR(_ plan: BuildPlan) throws(ToolchainError) -> String {
        try compileAndOptimize(plan) { module, backend, _ in backend.textualIR(module) }.0
    }

    /// The optimized program as the target's assembly, unlinked; for tests that check code
    /// generation (no fused multiply-add, for one).
    func emitAssembly(_ plan: BuildPlan) throws(ToolchainError) -> String {
        try compileAndOptimize(plan) { module, backend, machine throws(ToolchainError) in
            try backend.emitAssembly(module, machine: machine)
        }.0
    }

    private func compileAndOptimize<Result>(
        _ plan: BuildPlan,
        _ finish: @escaping (LLVMModuleRef, LLVMBackend, LLVMTargetMachineRef) throws(ToolchainError) -> Result
    ) throws(ToolchainError) -> (Result, [ClangDiagnostic], [String: (unit: String, use: ClangDiagnostic)]) {
        let backend = LLVMBackend(plan: plan)
        let machine = try backend.makeTargetMachine()
        defer { LLVMDisposeTargetMachine(machine) }
        let context = LLVMContextCreate()!
        // After a recovered crash the context may hold half-built IR: it is leaked, not disposed.
        var crashed = false
        defer { if !crashed { LLVMContextDispose(context) } }

        let frontend = ClangFrontend(plan: plan)
        var modules: [LLVMModuleRef] = []
        var warnings: [ClangDiagnostic] = []
        var symbols: [String: (unit: String, use: ClangDiagnostic)] = [:]
        do {
            for unit in plan.units {
                let (module, unitWarnings, unitSymbols) = try frontend.compile(unit, in: context)
                modules.append(module)
                warnings += unitWarnings
                for (symbol, use) in unitSymbols where symbols[symbol] == nil { symbols[symbol] = (unit.path, use) }
            }
        } catch {
            if case .compilation(_, let diagnostics) = error, diagnostics.contains(where: \.isInternal) {
                crashed = true
            } else {
                modules.forEach { LLVMDisposeModule($0) }
            }
            throw error
        }
        // Linking, optimizing and code generation see the users' code too.
        let result: Result = try runSafely("LLVM") { () throws(ToolchainError) -> Result in
            let module = try backend.link(modules)
            defer { LLVMDisposeModule(module) }
            backend.internalize(module)
            try backend.optimize(module, machine: machine)
            return try finish(module, backend, machine)
        } onCrash: {
            crashed = true
        }
        return (result, warnings, symbols)
    }
}

/// Runs `body` on a large stack under crash recovery. A crash or an LLVM fatal error becomes
/// `ToolchainError.llvm`, after `onCrash`.
func runSafely<Result>(_ what: String, _ body: @escaping () throws(ToolchainError) -> Result,
                       onCrash: () -> Void = {}) throws(ToolchainError) -> Result {
    var outcome: Swift.Result<Result, ToolchainError>?
    let box = SafeBody {
        do throws(ToolchainError) { outcome = .success(try body()) } catch { outcome = .failure(error) }
    }
    var message: UnsafeMutablePointer<CChar>?
    let completed = RuneRunSafely({ context in
        Unmanaged<SafeBody>.fromOpaque(context!).takeUnretainedValue().run()
    }, Unmanaged.passUnretained(box).toOpaque(), &message)
    let text = message.map { String(cString: $0) } ?? "it crashed"
    RuneDisposeMessage(message)
    guard completed, let outcome else {
        onCrash()
        throw .llvm("\(what) stopped: \(text)")
    }
    return try outcome.get()
}

private final class SafeBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Maps what the linker and the final module say about symbols back to the user's blocks.
struct UserBlockSymbols {
    var plan: BuildPlan
    /// Symbols the blocks use without defining them, with the block and where.
    var symbols: [String: (unit: String, use: ClangDiagnostic)]

    /// The only imports a rune may have (Runtime/include/rune.h).
    static let abiImports: Set<String> = ["rune.capability_read", "rune.output_write", "rune.log"]

    var userBlocks: [BuildPlan.TranslationUnit] { plan.units.filter(\.isUserBlock) }

    /// An lld "undefined symbol" in a build with user blocks is the blocks' error, located where
    /// clang saw the symbol used; anything else stays a link error.
    func blame(_ error: ToolchainError) -> ToolchainError {
        guard case .link(let message) = error, !userBlocks.isEmpty else { return error }
        let undefined = Self.undefinedSymbols(in: message)
        guard !undefined.isEmpty else { return error }
        var byUnit: [(unit: String, diagnostics: [ClangDiagnostic])] = []
        func add(_ unit: String, _ diagnostic: ClangDiagnostic) {
            if let index = byUnit.firstIndex(where: { $0.unit == unit }) {
                byUnit[index].diagnostics.append(diagnostic)
            } else {
                byUnit.append((unit, [diagnostic]))
            }
        }
        for symbol in undefined {
            if let block = userBlocks.first(where: { $0.definitions.contains("rune_block_run=\(symbol)") }) {
                let name = URL(fileURLWithPath: block.path).lastPathComponent
                add(block.path, ClangDiagnostic(severity: .error, file: "", line: 0, column: 0,
                                                message: "\(name) does not define rune_block_run, the function the rune calls"))
            } else if let (unit, use) = symbols[symbol] {
                var located = use
                located.message = "the block needs '\(symbol)', which neither the block nor the rune defines: "
                    + "a block may call only its own functions, those of rune_block.h and the rune ABI"
                add(unit, located)
            } else {
                add(userBlocks[0].path, ClangDiagnostic(
                    severity: .error, file: "", line: 0, column: 0,
                    message: "the rune needs '\(symbol)', which no block defines and the rune ABI does not provide"))
            }
        }
        return .compilation(unit: byUnit[0].unit, diagnostics: byUnit.flatMap(\.diagnostics))
    }

    /// The second check: whatever the blocks did, the module imports nothing outside the ABI.
    func checkImports(of module: [UInt8]) throws(ToolchainError) {
        guard let imports = WasmImports.functionImports(of: module) else {
            throw .link("the linked module is not valid WebAssembly")
        }
        let foreign = imports.filter { !Self.abiImports.contains("\($0.module).\($0.name)") }
        guard !foreign.isEmpty else { return }
        let names = foreign.map { "'\($0.module).\($0.name)'" }.joined(separator: ", ")
        let message = "the rune would import \(names): a rune may import only rune.capability_read, "
            + "rune.output_write and rune.log, and hosts refuse any other import"
        guard let block = userBlocks.first else { throw .link(message) }
        let located = foreign.lazy.compactMap { symbols[$0.name] }.first
        var diagnostic = located?.use ?? ClangDiagnostic(severity: .error, file: "", line: 0, column: 0, message: "")
        diagnostic.message = message
        throw .compilation(unit: located?.unit ?? block.path, diagnostics: [diagnostic])
    }

    /// `wasm-ld: error: rune.o: undefined symbol: powf` and `ld.lld: error: undefined symbol: powf`.
    static func undefinedSymbols(in message: String) -> [String] {
        var names: [String] = []
        for line in message.split(separator: "\n") {
            guard let range = line.range(of: "undefined symbol: ") else { continue }
            let name = String(line[range.upperBound...].prefix { !$0.isWhitespace })
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }
}
