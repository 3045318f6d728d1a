internal import CLLVM

/// A module translated to LLVM IR for a target, verified and optimised: what becomes an object
/// file (for the loader, or for `runec aot`) or IR text.
final class TranslatedModule {
    private let kit: LLVMKit
    private let machine: LLVMTargetMachineRef
    let target: NativeTarget

    /// Translates `wasm` for `target`. Host code is position-independent, since it is linked
    /// into a shared object and loaded anywhere; bare-metal code is static, linked into
    /// firmware at a fixed address, and carries its module descriptor.
    init(_ wasm: WasmModule, target: NativeTarget, isolation: MemoryIsolation, optimize: Bool = true) throws(AOTError) {
        _ = NativeTarget.initialized
        self.target = target
        if isolation == .mpu && !(target.isBareMetal && target.pointerBytes == 4) {
            throw AOTError(.unsupported, "\(target) has no MPU to confine unchecked code; mpu isolation is for cortex-m7 under RunicOS")
        }
        if target.isBareMetal && isolation == .guardPages {
            throw AOTError(.unsupported, "\(target) has no guard pages; its memory isolation is \(MemoryIsolation.explicitChecks.rawValue)")
        }
        let translator = ModuleTranslator(wasm: wasm, target: target, isolation: isolation)
        let kit = translator.kit
        func discard() {
            LLVMDisposeModule(kit.module)
            LLVMContextDispose(kit.context)
        }
        do {
            try translator.translate()
            if target.isBareMetal { try ModuleDescriptor(translator: translator).emit() }
        } catch {
            kit.disposeBuilder()
            discard()
            throw error
        }
        kit.disposeBuilder()
        var message: UnsafeMutablePointer<CChar>?
        if LLVMVerifyModule(kit.module, LLVMReturnStatusAction, &message) != 0 {
            let text = message.map { String(cString: $0) } ?? "invalid IR"
            LLVMDisposeMessage(message)
            discard()
            throw AOTError(.llvm, "the translated module does not verify: \(text)")
        }
        LLVMDisposeMessage(message)
        message = nil

        var llvmTarget: LLVMTargetRef?
        guard LLVMGetTargetFromTriple(target.triple, &llvmTarget, &message) == 0, let llvmTarget,
              let machine = LLVMCreateTargetMachine(llvmTarget, target.triple, target.cpu, target.features,
                                                    optimize ? LLVMCodeGenLevelDefault : LLVMCodeGenLevelNone,
                                                    target.isBareMetal ? LLVMRelocStatic : LLVMRelocPIC, LLVMCodeModelDefault) else {
            let text = message.map { String(cString: $0) } ?? "unknown target"
            LLVMDisposeMessage(message)
            discard()
            throw AOTError(.llvm, "no code generator for \(target): \(text)")
        }
        LLVMSetTarget(kit.module, target.triple)
        let layout = LLVMCreateTargetDataLayout(machine)!
        LLVMSetModuleDataLayout(kit.module, layout)
        LLVMDisposeTargetData(layout)
        let options = OptimizationPipeline.makeOptions()
        defer { LLVMDisposePassBuilderOptions(options) }
        if let error = LLVMRunPasses(kit.module, optimize ? OptimizationPipeline.passes(for: isolation) : "default<O0>", machine, options) {
            let text = String(cString: LLVMGetErrorMessage(error))
            LLVMDisposeTargetMachine(machine)
            discard()
            throw AOTError(.llvm, "optimization failed: \(text)")
        }
        self.kit = kit
        self.machine = machine
    }

    deinit {
        LLVMDisposeTargetMachine(machine)
        LLVMDisposeModule(kit.module)
        LLVMContextDispose(kit.context)
    }

    /// The module as a relocatable object file (ELF for Linux targets).
    func object() throws(AOTError) -> [UInt8] {
        var message: UnsafeMutablePointer<CChar>?
        var buffer: LLVMMemoryBufferRef?
        guard LLVMTargetMachineEmitToMemoryBuffer(machine, kit.module, LLVMObjectFile, &message, &buffer) == 0,
              let buffer else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            LLVMDisposeMessage(message)
            throw AOTError(.llvm, "cannot emit machine code: \(text)")
        }
        defer { LLVMDisposeMemoryBuffer(buffer) }
        let start = LLVMGetBufferStart(buffer)!
        return Array(UnsafeRawBufferPointer(start: start, count: LLVMGetBufferSize(buffer)))
    }

    /// The optimised module as LLVM IR text.
    func irText() -> String {
        let text = LLVMPrintModuleToString(kit.module)!
        defer { LLVMDisposeMessage(text) }
        return String(cString: text)
    }
}
