internal import CLLVM
internal import CRuneLinker
import Foundation

/// The LLVM C API half of the toolchain: links modules, optimizes the whole program once, and
/// emits an object file for the target.
struct LLVMBackend {
    var plan: BuildPlan

    /// Registers the targets runec emits for (WebAssembly and Arm), once per process and under
    /// a lock shared with the AOT translator, which registers Arm as well (see
    /// RuneLinkerInitializeTargets: LLVM's registry is not thread-safe).
    static let initialized: Bool = {
        RuneLinkerInitializeTargets()
        return true
    }()

    func makeTargetMachine() throws(ToolchainError) -> LLVMTargetMachineRef {
        _ = LLVMBackend.initialized
        var target: LLVMTargetRef?
        var message: UnsafeMutablePointer<CChar>?
        guard LLVMGetTargetFromTriple(plan.target.triple, &target, &message) == 0, let target else {
            throw .llvm(consume(message) ?? "unknown target \(plan.target.triple)")
        }
        let level: LLVMCodeGenOptLevel = plan.optimization == .none ? LLVMCodeGenLevelNone : LLVMCodeGenLevelDefault
        guard let machine = LLVMCreateTargetMachine(target, plan.target.triple, plan.target.cpu, plan.target.features,
                                                    level, LLVMRelocStatic, LLVMCodeModelDefault) else {
            throw .llvm("cannot create a target machine for \(plan.target.triple)")
        }
        return machine
    }

    /// Links `modules` into the first one, which is returned; the others are consumed.
    func link(_ modules: [LLVMModuleRef]) throws(ToolchainError) -> LLVMModuleRef {
        guard let first = modules.first else { throw .llvm("nothing to link") }
        for module in modules.dropFirst() where LLVMLinkModules2(first, module) != 0 {
            throw .llvm("conflicting definitions between translation units")
        }
        return first
    }

    /// Gives every definition but the exported symbols internal linkage, so the optimizer sees
    /// the whole program and dead code disappears.
    func internalize(_ module: LLVMModuleRef) {
        let keep = Set(plan.exportedSymbols + LLVMBackend.runtimeLibrarySymbols)
        var function = LLVMGetFirstFunction(module)
        while let current = function {
            if LLVMIsDeclaration(current) == 0, !keep.contains(name(of: current)) {
                LLVMSetLinkage(current, LLVMInternalLinkage)
                LLVMSetVisibility(current, LLVMDefaultVisibility)
            }
            function = LLVMGetNextFunction(current)
        }
        var global = LLVMGetFirstGlobal(module)
        while let current = global {
            if LLVMIsDeclaration(current) == 0, !keep.contains(name(of: current)),
               !name(of: current).hasPrefix("llvm.") {
                LLVMSetLinkage(current, LLVMInternalLinkage)
                LLVMSetVisibility(current, LLVMDefaultVisibility)
            }
            global = LLVMGetNextGlobal(current)
        }
    }

    /// Functions LLVM may call on its own (for struct copies and idioms); they stay external so
    /// the linker can resolve calls that code generation adds after optimization.
    static let runtimeLibrarySymbols = ["memcpy", "memmove", "memset", "memcmp"]

    func optimize(_ module: LLVMModuleRef, machine: LLVMTargetMachineRef) throws(ToolchainError) {
        let options = LLVMCreatePassBuilderOptions()
        defer { LLVMDisposePassBuilderOptions(options) }
        if let error = LLVMRunPasses(module, plan.optimization.passPipeline, machine, options) {
            let message = LLVMGetErrorMessage(error)
            defer { LLVMDisposeErrorMessage(message) }
            throw .llvm(message.map { String(cString: $0) } ?? "pass pipeline failed")
        }
        var message: UnsafeMutablePointer<CChar>?
        if LLVMVerifyModule(module, LLVMReturnStatusAction, &message) != 0 {
            throw .llvm(consume(message) ?? "module verification failed")
        }
        LLVMDisposeMessage(message)
    }

    func emitObject(_ module: LLVMModuleRef, machine: LLVMTargetMachineRef) throws(ToolchainError) -> [UInt8] {
        try emit(module, machine: machine, as: LLVMObjectFile)
    }

    /// The target's assembly for `module`: what the object would hold, as text (for tests that
    /// check which instructions code generation chose).
    func emitAssembly(_ module: LLVMModuleRef, machine: LLVMTargetMachineRef) throws(ToolchainError) -> String {
        String(decoding: try emit(module, machine: machine, as: LLVMAssemblyFile), as: UTF8.self)
    }

    private func emit(_ module: LLVMModuleRef, machine: LLVMTargetMachineRef,
                      as fileType: LLVMCodeGenFileType) throws(ToolchainError) -> [UInt8] {
        var message: UnsafeMutablePointer<CChar>?
        var buffer: LLVMMemoryBufferRef?
        guard LLVMTargetMachineEmitToMemoryBuffer(machine, module, fileType, &message, &buffer) == 0,
              let buffer else {
            throw .llvm(consume(message) ?? "object emission failed")
        }
        defer { LLVMDisposeMemoryBuffer(buffer) }
        let start = LLVMGetBufferStart(buffer)
        let size = LLVMGetBufferSize(buffer)
        return start.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
    }

    func textualIR(_ module: LLVMModuleRef) -> String {
        let text = LLVMPrintModuleToString(module)
        defer { LLVMDisposeMessage(text) }
        return text.map { String(cString: $0) } ?? ""
    }

    private func name(of value: LLVMValueRef) -> String {
        var length = 0
        guard let name = LLVMGetValueName2(value, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self)
    }

    private func consume(_ message: UnsafeMutablePointer<CChar>?) -> String? {
        guard let message else { return nil }
        defer { LLVMDisposeMessage(message) }
        return String(cString: message)
    }
}
