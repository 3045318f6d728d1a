internal import CLLVM
import CRuneAOTSupport
import WasmParser
import WasmTypes

/// Loads, stores, memory.size/grow/copy/fill. Every access is kept inside the memory (see
/// `MemoryIsolation`): with explicit checks, effective address + access size must not exceed
/// the memory's current size (computed in 64 bits, so it cannot wrap; on 32-bit targets as one
/// 32-bit compare, see `checkedAddress32`); with guard pages, the
/// effective address (at most 2^33) lands in the memory's reservation, whose inaccessible
/// part faults. memory.copy and memory.fill are always checked, since their length is not
/// bounded by the reservation.
///
/// The base and size live in two allocas of the function (`memoryCache`), loaded from the
/// context at entry and again after every call and memory.grow, the only places they can
/// change. mem2reg turns them into SSA values. Read from the context at each access instead,
/// they would have to be reloaded after every store to linear memory (which LLVM cannot tell
/// apart from the context), so no bounds check or address could be hoisted out of a loop.
extension FunctionTranslator {
    func requireMemory(_ index: UInt32) throws(AOTError) {
        guard Int(index) < module.wasm.memories.count else { throw invalid("unknown memory \(index)") }
    }

    var memoryStruct: LLVMValueRef { contextWord(ContextLayout.memory, as: kit.i8Ptr) }

    /// Copies the memory's current base and size from the context into `memoryCache`.
    func reloadMemoryCache() {
        guard let memoryCache else { return }
        let memory = memoryStruct
        LLVMBuildStore(builder, kit.loadWord(memory, byteOffset: ContextLayout.Memory.base, as: kit.i8Ptr), memoryCache.base)
        LLVMBuildStore(builder, kit.loadWord(memory, byteOffset: ContextLayout.Memory.size, as: kit.i64), memoryCache.size)
    }

    /// The memory's base address and byte size, as of the last call or memory.grow.
    var memoryBaseAndSize: (base: LLVMValueRef, size: LLVMValueRef) {
        let cache = memoryCache!  // requireMemory has checked there is a memory
        return (LLVMBuildLoad2(builder, kit.i8Ptr, cache.base, "")!, LLVMBuildLoad2(builder, kit.i64, cache.size, "")!)
    }

    /// The host address of `[address + offset, + size)`, after checking it lies inside memory
    /// (or, with guard pages, knowing an access outside it faults).
    mutating func checkedAddress(_ address: LLVMValueRef, offset: UInt64, size: Int) -> LLVMValueRef {
        let (base, bound) = memoryBaseAndSize
        if module.isolation == .explicitChecks && module.target.pointerBytes == 4 {
            return checkedAddress32(address, base: base, bound: bound, span: offset + UInt64(size), offset: offset)
        }
        if module.isolation == .mpu {
            // 32-bit wrapping arithmetic, as the core computes it: wherever it lands, the MPU
            // judges the access.
            let effective = offset == 0 ? address : LLVMBuildAdd(builder, address, kit.constant(kit.i32, offset & 0xffff_ffff), "")!
            var index: [LLVMValueRef?] = [effective]
            return LLVMBuildGEP2(builder, kit.i8, base, &index, 1, "")!
        }
        var effective = LLVMBuildZExt(builder, address, kit.i64, "")!
        if offset != 0 { effective = LLVMBuildAdd(builder, effective, kit.constant(kit.i64, offset), "")! }
        if module.isolation == .explicitChecks {
            let end = LLVMBuildAdd(builder, effective, kit.constant(kit.i64, UInt64(size)), "")!
            trap(if: LLVMBuildICmp(builder, LLVMIntUGT, end, bound, "")!, RuneAOTTrapMemoryOutOfBounds)
        }
        var index: [LLVMValueRef?] = [effective]
        return LLVMBuildInBoundsGEP2(builder, kit.i8, base, &index, 1, "")!
    }

    /// The explicit check on a 32-bit target, in 32-bit arithmetic. There a memory is smaller
    /// than 2^31 bytes (it shares the address space with the program), so `[address, address +
    /// span)` fits exactly when `address < (size + 1) - span`, the subtraction saturating at 0.
    /// That limit depends only on the memory's size and the access's constant span, so LLVM
    /// computes it once outside a loop, and each access costs one compare and branch; the
    /// general 64-bit sum and compare cost a 32-bit core four more instructions and two more
    /// registers per access (microspeech on Cortex-M7: see README, "Cortex-M7").
    mutating func checkedAddress32(_ address: LLVMValueRef, base: LLVMValueRef, bound: LLVMValueRef,
                                   span: UInt64, offset: UInt64) -> LLVMValueRef {
        let limit: LLVMValueRef
        if span > UInt64(UInt32.max) {
            limit = kit.i32(0)  // past any memory a 32-bit target can hold: always traps
        } else {
            let size = LLVMBuildTrunc(builder, bound, kit.i32, "")!
            limit = kit.intrinsic("llvm.usub.sat", [kit.i32], [LLVMBuildAdd(builder, size, kit.i32(1), "")!, kit.constant(kit.i32, span)])
        }
        trap(if: LLVMBuildICmp(builder, LLVMIntUGE, address, limit, "")!, RuneAOTTrapMemoryOutOfBounds)
        // Past the check, address + offset < size < 2^31: no wrap.
        let effective = offset == 0 ? address : LLVMBuildAdd(builder, address, kit.constant(kit.i32, offset & 0xffff_ffff), "")!
        var index: [LLVMValueRef?] = [effective]
        return LLVMBuildInBoundsGEP2(builder, kit.i8, base, &index, 1, "")!
    }

    /// With guard pages, the access itself is the bounds check, so a load whose value is dropped
    /// must still happen: LLVM deletes unused loads, which would let an out-of-bounds load pass
    /// without its trap. Marking it volatile keeps it (widened loads are looked through).
    func keepIfLoad(_ value: LLVMValueRef) {
        guard module.isolation == .guardPages else { return }
        var value = value
        if LLVMIsAZExtInst(value) != nil || LLVMIsASExtInst(value) != nil { value = LLVMGetOperand(value, 0) }
        if LLVMIsALoadInst(value) != nil { LLVMSetVolatile(value, 1) }
    }

    func checkAlignment(_ memarg: MemArg, size: Int) throws(AOTError) {
        guard memarg.align < 64, (UInt64(1) << UInt64(memarg.align)) <= UInt64(size) else { throw invalid("alignment must not be larger than natural") }
        guard memarg.offset <= UInt64(UInt32.max) else { throw invalid("offset out of range") }
    }

    mutating func translateLoad(_ load: Instruction.Load, _ memarg: MemArg) throws(AOTError) {
        try requireMemory(memarg.memory)
        let (result, memoryType, size, signed): (ValueKind, LLVMTypeRef, Int, Bool?) = switch load {
        case .i32Load: (.i32, kit.i32, 4, nil)
        case .i64Load: (.i64, kit.i64, 8, nil)
        case .f32Load: (.f32, kit.f32, 4, nil)
        case .f64Load: (.f64, kit.f64, 8, nil)
        case .i32Load8S: (.i32, kit.i8, 1, true)
        case .i32Load8U: (.i32, kit.i8, 1, false)
        case .i32Load16S: (.i32, kit.i16, 2, true)
        case .i32Load16U: (.i32, kit.i16, 2, false)
        case .i64Load8S: (.i64, kit.i8, 1, true)
        case .i64Load8U: (.i64, kit.i8, 1, false)
        case .i64Load16S: (.i64, kit.i16, 2, true)
        case .i64Load16U: (.i64, kit.i16, 2, false)
        case .i64Load32S: (.i64, kit.i32, 4, true)
        case .i64Load32U: (.i64, kit.i32, 4, false)
        default: throw AOTError(.unsupported, "\(load) is not supported")
        }
        try checkAlignment(memarg, size: size)
        let address = try pop(.i32)
        let pointer = LLVMBuildBitCast(builder, checkedAddress(address, offset: memarg.offset, size: size), kit.pointer(to: memoryType), "")!
        let loaded = LLVMBuildLoad2(builder, memoryType, pointer, "")!
        LLVMSetAlignment(loaded, 1)
        switch signed {
        case nil: push(loaded, result)
        case true?: push(LLVMBuildSExt(builder, loaded, kit.type(result), "")!, result)
        case false?: push(LLVMBuildZExt(builder, loaded, kit.type(result), "")!, result)
        }
    }

    mutating func translateStore(_ store: Instruction.Store, _ memarg: MemArg) throws(AOTError) {
        try requireMemory(memarg.memory)
        let (operand, memoryType, size): (ValueKind, LLVMTypeRef, Int) = switch store {
        case .i32Store: (.i32, kit.i32, 4)
        case .i64Store: (.i64, kit.i64, 8)
        case .f32Store: (.f32, kit.f32, 4)
        case .f64Store: (.f64, kit.f64, 8)
        case .i32Store8: (.i32, kit.i8, 1)
        case .i32Store16: (.i32, kit.i16, 2)
        case .i64Store8: (.i64, kit.i8, 1)
        case .i64Store16: (.i64, kit.i16, 2)
        case .i64Store32: (.i64, kit.i32, 4)
        default: throw AOTError(.unsupported, "\(store) is not supported")
        }
        try checkAlignment(memarg, size: size)
        var value = try pop(operand)
        let address = try pop(.i32)
        if memoryType != kit.type(operand) { value = LLVMBuildTrunc(builder, value, memoryType, "")! }
        let pointer = LLVMBuildBitCast(builder, checkedAddress(address, offset: memarg.offset, size: size), kit.pointer(to: memoryType), "")!
        let stored = LLVMBuildStore(builder, value, pointer)!
        LLVMSetAlignment(stored, 1)
    }

    mutating func translateMemorySize(_ index: UInt32) throws(AOTError) {
        try requireMemory(index)
        let pages = kit.loadWord(memoryStruct, byteOffset: ContextLayout.Memory.pages, as: kit.i64)
        push(LLVMBuildTrunc(builder, pages, kit.i32, "")!, .i32)
    }

    mutating func translateMemoryGrow(_ index: UInt32) throws(AOTError) {
        try requireMemory(index)
        let delta = try pop(.i32)
        var parameters: [LLVMTypeRef?] = [kit.i8Ptr, kit.i32]
        let growType = LLVMFunctionType(kit.i32, &parameters, 2, 0)!
        let grow = contextWord(ContextLayout.memoryGrow, as: kit.pointer(to: growType))
        push(kit.call(growType, grow, [memoryStruct, delta]), .i32)
        reloadMemoryCache()
    }

    /// Checks `[start, start + length)` lies inside memory; returns its host address.
    mutating func checkedRange(_ start: LLVMValueRef, _ length: LLVMValueRef) -> LLVMValueRef {
        let (base, bound) = memoryBaseAndSize
        let begin = LLVMBuildZExt(builder, start, kit.i64, "")!
        let end = LLVMBuildAdd(builder, begin, LLVMBuildZExt(builder, length, kit.i64, ""), "")!
        trap(if: LLVMBuildICmp(builder, LLVMIntUGT, end, bound, "")!, RuneAOTTrapMemoryOutOfBounds)
        var index: [LLVMValueRef?] = [begin]
        return LLVMBuildInBoundsGEP2(builder, kit.i8, base, &index, 1, "")!
    }

    mutating func translateMemoryCopy(_ destination: UInt32, _ source: UInt32) throws(AOTError) {
        try requireMemory(destination)
        try requireMemory(source)
        let length = try pop(.i32)
        let from = try pop(.i32)
        let to = try pop(.i32)
        let sourceAddress = checkedRange(from, length)
        let destinationAddress = checkedRange(to, length)
        _ = kit.intrinsic("llvm.memmove", [kit.i8Ptr, kit.i8Ptr, kit.intPtr],
                          [destinationAddress, sourceAddress, LLVMBuildZExtOrBitCast(builder, length, kit.intPtr, "")!, LLVMConstInt(kit.i1, 0, 0)])
        // memmove/memset run in libc, where an interrupt signal is ignored: check after.
        emitInterruptCheck()
    }

    mutating func translateMemoryFill(_ index: UInt32) throws(AOTError) {
        try requireMemory(index)
        let length = try pop(.i32)
        let value = try pop(.i32)
        let start = try pop(.i32)
        let address = checkedRange(start, length)
        _ = kit.intrinsic("llvm.memset", [kit.i8Ptr, kit.intPtr],
                          [address, LLVMBuildTrunc(builder, value, kit.i8, "")!, LLVMBuildZExtOrBitCast(builder, length, kit.intPtr, "")!, LLVMConstInt(kit.i1, 0, 0)])
        // memmove/memset run in libc, where an interrupt signal is ignored: check after.
        emitInterruptCheck()
    }
}
