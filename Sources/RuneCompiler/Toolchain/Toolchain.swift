import CLLVM

/// What a build produced.
public struct BuildProduct: Sendable {
    /// The linked module or firmware image (empty when only IR was requested).
    public var binary: [UInt8]
    /// clang's warnings about the generated or user-written C.
    public var warnings: [ClangDiagnostic]
}

/// The in-process compiler toolchain: clang for C, the LLVM C API for whole-program
/// optimization and code generation, lld for linking. No subprocess is started.
public struct Toolchain: Sendable {
    public init() {}

    /// Compiles and links `plan` into a binary.
    public func build(_ plan: BuildPlan) throws(ToolchainError) -> BuildProduct {
        let (object, warnings) = try compileAndOptimize(plan) { module, backend, machine throws(ToolchainError) in
            try backend.emitObject(module, machine: machine)
        }
        let binary = try Linker(plan: plan).link(object: object)
        return BuildProduct(binary: binary, warnings: warnings)
    }

    /// The optimized, linked LLVM IR of `plan`, as text.
    public func emitIR(_ plan: BuildPlan) throws(ToolchainError) -> String {
        try compileAndOptimize(plan) { module, backend, _ in backend.textualIR(module) }.0
    }

    private func compileAndOptimize<Result>(
        _ plan: BuildPlan,
        _ finish: (LLVMModuleRef, LLVMBackend, LLVMTargetMachineRef) throws(ToolchainError) -> Result
    ) throws(ToolchainError) -> (Result, [ClangDiagnostic]) {
        let backend = LLVMBackend(plan: plan)
        let machine = try backend.makeTargetMachine()
        defer { LLVMDisposeTargetMachine(machine) }
        let context = LLVMContextCreate()!
        defer { LLVMContextDispose(context) }

        let frontend = ClangFrontend(plan: plan)
        var modules: [LLVMModuleRef] = []
        var warnings: [ClangDiagnostic] = []
        do {
            for unit in plan.units {
                let (module, unitWarnings) = try frontend.compile(unit, in: context)
                modules.append(module)
                warnings += unitWarnings
            }
        } catch {
            modules.forEach { LLVMDisposeModule($0) }
            throw error
        }
        let module = try backend.link(modules)
        defer { LLVMDisposeModule(module) }
        backend.internalize(module)
        try backend.optimize(module, machine: machine)
        return (try finish(module, backend, machine), warnings)
    }
}
