internal import CLLVM
import CRuneAOTSupport
import WasmParser
import WasmTypes

/// Translates a whole module: one LLVM function per wasm function (the context first, then the
/// wasm parameters), a thunk per imported function that calls the host through the context,
/// and an entry wrapper (`void(context, u64 *values)`) per function the host may call.
final class ModuleTranslator {
    let wasm: WasmModule
    let kit: LLVMKit
    var functions: [LLVMValueRef] = []
    let target: NativeTarget
    var cpu: String { target.cpu }
    var features: String { target.features }
    let isolation: MemoryIsolation

    static func functionName(_ index: Int) -> String { "wasm_function_\(index)" }
    static func thunkName(_ index: Int) -> String { "wasm_import_\(index)" }
    static func entryName(_ index: Int) -> String { "wasm_entry_\(index)" }

    init(wasm: WasmModule, target: NativeTarget, isolation: MemoryIsolation) {
        self.wasm = wasm
        self.kit = LLVMKit(name: "rune_aot", pointerBytes: target.pointerBytes)
        self.target = target
        self.isolation = isolation
    }

    /// Functions whose address leaves the module: exported, in a table, or the start function.
    var escapingFunctions: Set<Int> {
        var result = Set<Int>()
        for export in wasm.exports { if case .function(let index) = export.descriptor { result.insert(Int(index)) } }
        for segment in wasm.elements {
            for item in segment.initializer { if case .refFunc(let index)? = item.first { result.insert(Int(index)) } }
        }
        if let start = wasm.start { result.insert(Int(start)) }
        return result
    }

    /// Functions the host calls through an entry wrapper.
    var entryFunctions: Set<Int> {
        var result = Set<Int>()
        for export in wasm.exports { if case .function(let index) = export.descriptor { result.insert(Int(index)) } }
        if let start = wasm.start { result.insert(Int(start)) }
        return result
    }

    /// Float attributes every function carries, spelled out rather than left to defaults: wasm
    /// rounds each multiply and add, so the backend must never fuse them into an FMA (x86's
    /// vfmadd, AArch64's fmadd) nor assume away NaNs, infinities or signed zeros. The IR never
    /// carries fast-math flags or llvm.fmuladd, so with these nothing licenses contraction.
    static let strictFloatAttributes = [("unsafe-fp-math", "false"), ("no-nans-fp-math", "false"),
                                        ("no-infs-fp-math", "false"), ("no-signed-zeros-fp-math", "false"),
                                        ("approx-func-fp-math", "false")]

    func addAttributes(_ function: LLVMValueRef) {
        // Stack probes keep a large frame from stepping over a host thread's guard page; a
        // device has none (the stack bound checked at function entry is its guard).
        let probes = target.isBareMetal ? [] : [("probe-stack", "inline-asm")]
        let attributes = probes + [("target-cpu", cpu), ("target-features", features), ("frame-pointer", "none")]
            + ModuleTranslator.strictFloatAttributes
        for (key, value) in attributes where !value.isEmpty {
            let attribute = LLVMCreateStringAttribute(kit.context, key, UInt32(key.utf8.count), value, UInt32(value.utf8.count))
            LLVMAddAttributeAtIndex(function, UInt32(bitPattern: Int32(LLVMAttributeFunctionIndex)), attribute)
        }
        let kind = LLVMGetEnumAttributeKindForName("nounwind", 8)
        LLVMAddAttributeAtIndex(function, UInt32(bitPattern: Int32(LLVMAttributeFunctionIndex)), LLVMCreateEnumAttribute(kit.context, kind, 0))
    }

    func translate() throws(AOTError) {
        let escaping = escapingFunctions
        for index in 0..<wasm.definedFunctionCount {
            let functionIndex = wasm.importedFunctionCount + index
            let signature = try Signature(wasm.functionType(UInt32(functionIndex)))
            let function = kit.function(Self.functionName(functionIndex), kit.functionType(signature))
            if !escaping.contains(functionIndex) { LLVMSetLinkage(function, LLVMInternalLinkage) }
            addAttributes(function)
            functions.append(function)
        }
        for index in 0..<wasm.importedFunctionCount {
            try emitImportThunk(index)
        }
        for (index, code) in wasm.codes.enumerated() {
            let functionIndex = wasm.importedFunctionCount + index
            let signature = try Signature(wasm.functionType(UInt32(functionIndex)))
            var translator = FunctionTranslator(module: self, function: functions[index], signature: signature)
            do throws(AOTError) {
                try translator.translate(code: code)
            } catch {
                throw AOTError(error.kind, "function \(functionIndex): \(error.message)")
            }
        }
        for index in entryFunctions.sorted() { try emitEntry(index) }
    }

    /// `results thunk(context, parameters...)`: spills the arguments to a u64 array and asks the
    /// host (`context->hostCall(context->host, index, values)`); a non-zero status traps.
    func emitImportThunk(_ index: Int) throws(AOTError) {
        let signature = try Signature(wasm.functionType(UInt32(index)))
        let function = kit.function(Self.thunkName(index), kit.functionType(signature))
        addAttributes(function)
        let builder = kit.builder
        LLVMPositionBuilderAtEnd(builder, kit.appendBlock(function, "entry"))
        let count = max(signature.parameters.count, signature.results.count, 1)
        let values = LLVMBuildArrayAlloca(builder, kit.i64, kit.i32(Int32(count)), "values")!
        for (position, kind) in signature.parameters.enumerated() {
            storeValue(LLVMGetParam(function, UInt32(position + 1)), kind, values, position)
        }
        let context = LLVMGetParam(function, 0)!
        var parameters: [LLVMTypeRef?] = [kit.i8Ptr, kit.i32, kit.i64Ptr]
        let hostType = LLVMFunctionType(kit.i32, &parameters, 3, 0)!
        let hostCall = kit.loadWord(context, byteOffset: ContextLayout.hostCall, as: kit.pointer(to: hostType))
        let host = kit.loadWord(context, byteOffset: ContextLayout.host, as: kit.i8Ptr)
        let status = kit.call(hostType, hostCall, [host, kit.i32(Int32(index)), values])
        let failed = kit.appendBlock(function, "failed")
        let succeeded = kit.appendBlock(function, "succeeded")
        LLVMBuildCondBr(builder, LLVMBuildICmp(builder, LLVMIntNE, status, kit.i32(0), ""), failed, succeeded)
        LLVMPositionBuilderAtEnd(builder, failed)
        var trapParameters: [LLVMTypeRef?] = [kit.i32, kit.i64, kit.i64]
        let trapType = LLVMFunctionType(kit.void, &trapParameters, 3, 0)!
        let trap = kit.loadWord(context, byteOffset: ContextLayout.trap, as: kit.pointer(to: trapType))
        // The status is the trap: a host function failed, or the call was interrupted while the
        // host ran (a loop spent in host calls is stopped here, not by the signal).
        _ = kit.call(trapType, trap, [status, kit.i64(0), kit.i64(0)])
        LLVMBuildUnreachable(builder)
        LLVMPositionBuilderAtEnd(builder, succeeded)
        let results = signature.results.enumerated().map { loadValue($1, values, $0) }
        emitReturn(results, signature)
    }

    func emitReturn(_ results: [LLVMValueRef], _ signature: Signature) {
        switch results.count {
        case 0: LLVMBuildRetVoid(kit.builder)
        case 1: LLVMBuildRet(kit.builder, results[0])
        default:
            var values: [LLVMValueRef?] = results
            LLVMBuildAggregateRet(kit.builder, &values, UInt32(values.count))
        }
    }

    func slot(_ values: LLVMValueRef, _ position: Int) -> LLVMValueRef {
        var index: [LLVMValueRef?] = [kit.i64(Int64(position))]
        return LLVMBuildInBoundsGEP2(kit.builder, kit.i64, values, &index, 1, "")!
    }

    /// Values cross the host boundary as raw bits in u64 slots (floats keep their NaN payloads).
    func storeValue(_ value: LLVMValueRef, _ kind: ValueKind, _ values: LLVMValueRef, _ position: Int) {
        let builder = kit.builder
        let bits: LLVMValueRef = switch kind {
        case .i32: LLVMBuildZExt(builder, value, kit.i64, "")!
        case .i64: value
        case .f32: LLVMBuildZExt(builder, LLVMBuildBitCast(builder, value, kit.i32, ""), kit.i64, "")!
        case .f64: LLVMBuildBitCast(builder, value, kit.i64, "")!
        }
        LLVMBuildStore(builder, bits, slot(values, position))
    }

    func loadValue(_ kind: ValueKind, _ values: LLVMValueRef, _ position: Int) -> LLVMValueRef {
        let builder = kit.builder
        let bits = LLVMBuildLoad2(builder, kit.i64, slot(values, position), "")!
        return switch kind {
        case .i32: LLVMBuildTrunc(builder, bits, kit.i32, "")!
        case .i64: bits
        case .f32: LLVMBuildBitCast(builder, LLVMBuildTrunc(builder, bits, kit.i32, ""), kit.f32, "")!
        case .f64: LLVMBuildBitCast(builder, bits, kit.f64, "")!
        }
    }

    /// `void entry(context, u64 *values)`: arguments in, results out.
    func emitEntry(_ index: Int) throws(AOTError) {
        let signature = try Signature(wasm.functionType(UInt32(index)))
        var parameters: [LLVMTypeRef?] = [kit.i8Ptr, kit.i64Ptr]
        let function = kit.function(Self.entryName(index), LLVMFunctionType(kit.void, &parameters, 2, 0))
        addAttributes(function)
        let builder = kit.builder
        LLVMPositionBuilderAtEnd(builder, kit.appendBlock(function, "entry"))
        let context = LLVMGetParam(function, 0)!
        let values = LLVMGetParam(function, 1)!
        let arguments = signature.parameters.enumerated().map { loadValue($1, values, $0) }
        let callee: LLVMValueRef
        var calleeContext = context
        if index < wasm.importedFunctionCount {
            let imports = kit.loadWord(context, byteOffset: ContextLayout.imports, as: kit.i8Ptr)
            let base = index * ContextLayout.Import.size
            callee = kit.loadWord(imports, byteOffset: base + ContextLayout.Import.function, as: kit.pointer(to: kit.functionType(signature)))
            calleeContext = kit.loadWord(imports, byteOffset: base + ContextLayout.Import.context, as: kit.i8Ptr)
        } else {
            callee = functions[index - wasm.importedFunctionCount]
        }
        let result = kit.call(kit.functionType(signature), callee, [calleeContext] + arguments)
        switch signature.results.count {
        case 0: break
        case 1: storeValue(result, signature.results[0], values, 0)
        default:
            for (position, kind) in signature.results.enumerated() {
                storeValue(LLVMBuildExtractValue(builder, result, UInt32(position), "")!, kind, values, position)
            }
        }
        LLVMBuildRetVoid(builder)
    }
}
