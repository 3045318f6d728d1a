internal import CLLVM

/// Machine code for the host, made in process: the translated module is verified, optimized
/// with the new pass manager for the host CPU, and compiled by MCJIT into executable memory
/// owned by this object. Generated code reaches the host only through its context's function
/// pointers; the only symbols resolved from the process are libc's memmove/memset (and libm's
/// rounding functions on CPUs without SSE4.1), which LLVM itself may call.
final class NativeCode {
    private let kit: LLVMKit
    private let engine: LLVMExecutionEngineRef
    /// Seconds spent translating, optimizing and compiling.
    let translationSeconds: Double

    static let initialized: Bool = {
        #if arch(x86_64)
        LLVMInitializeX86TargetInfo()
        LLVMInitializeX86Target()
        LLVMInitializeX86TargetMC()
        LLVMInitializeX86AsmPrinter()
        #elseif arch(arm64)
        LLVMInitializeAArch64TargetInfo()
        LLVMInitializeAArch64Target()
        LLVMInitializeAArch64TargetMC()
        LLVMInitializeAArch64AsmPrinter()
        #endif
        LLVMLinkInMCJIT()
        return true
    }()

    static let hostCPU: (name: String, features: String) = {
        let name = LLVMGetHostCPUName()!
        let features = LLVMGetHostCPUFeatures()!
        defer {
            LLVMDisposeMessage(name)
            LLVMDisposeMessage(features)
        }
        return (String(cString: name), String(cString: features))
    }()

    init(_ wasm: WasmModule, optimize: Bool = true) throws(AOTError) {
        _ = NativeCode.initialized
        let clock = ContinuousClock.now
        let translator = ModuleTranslator(wasm: wasm, cpu: NativeCode.hostCPU.name, features: NativeCode.hostCPU.features)
        let kit = translator.kit
        do {
            try translator.translate()
        } catch {
            kit.disposeBuilder()
            LLVMDisposeModule(kit.module)
            LLVMContextDispose(kit.context)
            throw error
        }
        kit.disposeBuilder()
        self.kit = kit
        var message: UnsafeMutablePointer<CChar>?
        if LLVMVerifyModule(kit.module, LLVMReturnStatusAction, &message) != 0 {
            let text = message.map { String(cString: $0) } ?? "invalid IR"
            LLVMDisposeMessage(message)
            LLVMDisposeModule(kit.module)
            LLVMContextDispose(kit.context)
            throw AOTError(.llvm, "the translated module does not verify: \(text)")
        }
        LLVMDisposeMessage(message)

        let triple = LLVMGetDefaultTargetTriple()!
        defer { LLVMDisposeMessage(triple) }
        var target: LLVMTargetRef?
        guard LLVMGetTargetFromTriple(triple, &target, &message) == 0, let target,
              let machine = LLVMCreateTargetMachine(target, triple, NativeCode.hostCPU.name, NativeCode.hostCPU.features,
                                                    LLVMCodeGenLevelDefault, LLVMRelocDefault, LLVMCodeModelJITDefault) else {
            LLVMDisposeModule(kit.module)
            LLVMContextDispose(kit.context)
            throw AOTError(.llvm, "no target machine for the host")
        }
        defer { LLVMDisposeTargetMachine(machine) }
        LLVMSetTarget(kit.module, triple)
        let layout = LLVMCreateTargetDataLayout(machine)!
        LLVMSetModuleDataLayout(kit.module, layout)
        LLVMDisposeTargetData(layout)
        let options = OptimizationPipeline.makeOptions()
        defer { LLVMDisposePassBuilderOptions(options) }
        if let error = LLVMRunPasses(kit.module, optimize ? OptimizationPipeline.passes : "default<O0>", machine, options) {
            let text = String(cString: LLVMGetErrorMessage(error))
            LLVMDisposeModule(kit.module)
            LLVMContextDispose(kit.context)
            throw AOTError(.llvm, "optimization failed: \(text)")
        }

        var jitOptions = LLVMMCJITCompilerOptions()
        LLVMInitializeMCJITCompilerOptions(&jitOptions, MemoryLayout<LLVMMCJITCompilerOptions>.size)
        jitOptions.OptLevel = optimize ? 2 : 0
        jitOptions.CodeModel = LLVMCodeModelJITDefault
        var engine: LLVMExecutionEngineRef?
        guard LLVMCreateMCJITCompilerForModule(&engine, kit.module, &jitOptions, MemoryLayout<LLVMMCJITCompilerOptions>.size, &message) == 0,
              let engine else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            LLVMDisposeMessage(message)
            LLVMContextDispose(kit.context)
            throw AOTError(.llvm, "cannot create the JIT: \(text)")
        }
        self.engine = engine
        // MCJIT compiles lazily, at the first address lookup; finalizing now puts code
        // generation (most of the work) inside translationSeconds.
        LLVMRunStaticConstructors(engine)
        let elapsed = ContinuousClock.now - clock
        translationSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    deinit {
        LLVMDisposeExecutionEngine(engine)  // owns and disposes of the module
        LLVMContextDispose(kit.context)
    }

    /// The address of a generated function, or nil.
    func address(of name: String) -> UnsafeRawPointer? {
        let address = LLVMGetFunctionAddress(engine, name)
        return address == 0 ? nil : UnsafeRawPointer(bitPattern: UInt(address))
    }
}
