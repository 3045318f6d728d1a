internal import CLLVM
import CRuneAOTSupport
import WasmParser
import WasmTypes

/// Translates one function body to LLVM IR, validating it as it goes (operand types, labels,
/// indices), so an invalid body is refused rather than miscompiled.
///
/// Each wasm value is an SSA value; locals are allocas that mem2reg promotes. Control frames
/// carry the blocks and phis their labels branch to. Code after `br`, `return` or
/// `unreachable` is still checked (with the stack polymorphic) and emitted into a block with
/// no predecessors, which LLVM deletes.
struct FunctionTranslator {
    struct Entry {
        var value: LLVMValueRef?
        var kind: ValueKind?   // nil: unknown (popped from a polymorphic stack)
    }

    enum FrameKind { case function, block, loop, ifThen, ifElse }

    struct Frame {
        var kind: FrameKind
        var parameters: [ValueKind]
        var results: [ValueKind]
        var height: Int
        var unreachable = false
        var endBlock: LLVMBasicBlockRef
        var endPhis: [LLVMValueRef] = []
        var headerBlock: LLVMBasicBlockRef?
        var headerPhis: [LLVMValueRef] = []
        var elseBlock: LLVMBasicBlockRef?
        var parameterValues: [LLVMValueRef] = []
        var branchedToEnd = false

        /// What a branch to this frame's label carries.
        var labelTypes: [ValueKind] { kind == .loop ? parameters : results }
    }

    let kit: LLVMKit
    let module: ModuleTranslator
    let function: LLVMValueRef
    let signature: Signature
    var builder: LLVMBuilderRef { kit.builder }
    var stack: [Entry] = []
    var frames: [Frame] = []
    var locals: [(pointer: LLVMValueRef, kind: ValueKind)] = []
    var context: LLVMValueRef
    /// One shared block per trap code without details.
    var trapBlocks: [Int32: LLVMBasicBlockRef] = [:]
    /// Allocas holding the memory's base and byte size between calls (see Memory.swift); nil
    /// without a memory.
    var memoryCache: (base: LLVMValueRef, size: LLVMValueRef)?
    let phiBuilder: LLVMBuilderRef

    init(module: ModuleTranslator, function: LLVMValueRef, signature: Signature) {
        self.kit = module.kit
        self.module = module
        self.function = function
        self.signature = signature
        self.context = LLVMGetParam(function, 0)
        self.phiBuilder = LLVMCreateBuilderInContext(module.kit.context)
    }

    // MARK: Errors

    func invalid(_ message: String) -> AOTError { AOTError(.invalid, message) }

    // MARK: The operand stack

    mutating func push(_ value: LLVMValueRef, _ kind: ValueKind) { stack.append(Entry(value: value, kind: kind)) }

    /// Pops a value of `kind` (type-checked), or an undefined one from a polymorphic stack.
    mutating func pop(_ kind: ValueKind) throws(AOTError) -> LLVMValueRef {
        let entry = try popAny()
        if let actual = entry.kind, actual != kind { throw invalid("type mismatch") }
        guard entry.kind != nil, let value = entry.value else { return kit.undef(kit.type(kind)) }
        return value
    }

    mutating func popAny() throws(AOTError) -> Entry {
        let frame = frames[frames.count - 1]
        if stack.count == frame.height {
            guard frame.unreachable else { throw invalid("type mismatch") }
            return Entry(value: nil, kind: nil)
        }
        return stack.removeLast()
    }

    mutating func pop(_ kinds: [ValueKind]) throws(AOTError) -> [LLVMValueRef] {
        var values: [LLVMValueRef] = []
        for kind in kinds.reversed() { values.append(try pop(kind)) }
        return values.reversed()
    }

    mutating func push(_ values: [LLVMValueRef], _ kinds: [ValueKind]) {
        for (value, kind) in zip(values, kinds) { push(value, kind) }
    }

    /// Marks the rest of the current frame unreachable and moves to a dead block.
    mutating func markUnreachable() {
        frames[frames.count - 1].unreachable = true
        stack.removeSubrange(frames[frames.count - 1].height...)
        let dead = kit.appendBlock(function, "dead")
        LLVMPositionBuilderAtEnd(builder, dead)
    }

    // MARK: Context access

    func contextWord(_ offset: Int, as type: LLVMTypeRef) -> LLVMValueRef {
        kit.loadWord(context, byteOffset: offset, as: type)
    }

    var threadPointer: LLVMValueRef { contextWord(ContextLayout.thread, as: kit.i8Ptr) }

    // MARK: Traps

    /// Calls the context's trap function (which does not return).
    func emitTrapCall(_ code: RuneAOTTrap, _ detail1: LLVMValueRef? = nil, _ detail2: LLVMValueRef? = nil) {
        var parameters: [LLVMTypeRef?] = [kit.i32, kit.i64, kit.i64]
        let trapType = LLVMFunctionType(kit.void, &parameters, 3, 0)!
        let trap = contextWord(ContextLayout.trap, as: kit.pointer(to: trapType))
        let call = kit.call(trapType, trap, [kit.i32(Int32(code.rawValue)), detail1 ?? kit.i64(0), detail2 ?? kit.i64(0)])
        LLVMSetInstructionCallConv(call, LLVMCCallConv.rawValue)
        LLVMBuildUnreachable(builder)
    }

    mutating func trapBlock(_ code: RuneAOTTrap) -> LLVMBasicBlockRef {
        if let block = trapBlocks[Int32(code.rawValue)] { return block }
        let saved = LLVMGetInsertBlock(builder)!
        let block = kit.appendBlock(function, "trap")
        LLVMPositionBuilderAtEnd(builder, block)
        emitTrapCall(code)
        LLVMPositionBuilderAtEnd(builder, saved)
        trapBlocks[Int32(code.rawValue)] = block
        return block
    }

    /// Traps with `code` when `condition` (an i1) holds; continues in a new block otherwise.
    mutating func trap(if condition: LLVMValueRef, _ code: RuneAOTTrap) {
        let target = trapBlock(code)
        let next = kit.appendBlock(function, "ok")
        LLVMBuildCondBr(builder, expectFalse(condition), target, next)
        LLVMPositionBuilderAtEnd(builder, next)
    }

    /// Traps with details computed in the trap path.
    mutating func trap(if condition: LLVMValueRef, _ code: RuneAOTTrap, _ detail1: LLVMValueRef, _ detail2: LLVMValueRef? = nil) {
        let target = kit.appendBlock(function, "trap")
        let next = kit.appendBlock(function, "ok")
        LLVMBuildCondBr(builder, expectFalse(condition), target, next)
        LLVMPositionBuilderAtEnd(builder, target)
        emitTrapCall(code, detail1, detail2)
        LLVMPositionBuilderAtEnd(builder, next)
    }

    func expectFalse(_ condition: LLVMValueRef) -> LLVMValueRef {
        kit.intrinsic("llvm.expect", [kit.i1], [condition, LLVMConstInt(kit.i1, 0, 0)])
    }

    // MARK: Prologue and epilogue

    /// Call depth, native stack bound and the interrupt flag, checked at entry.
    mutating func emitEntryChecks() {
        let thread = threadPointer
        let depthAddress = kit.fieldAddress(thread, byteOffset: ContextLayout.Thread.depth, of: kit.i32)
        let depth = LLVMBuildAdd(builder, LLVMBuildLoad2(builder, kit.i32, depthAddress, "depth"), kit.i32(1), "")!
        LLVMBuildStore(builder, depth, depthAddress)
        let limit = kit.loadWord(thread, byteOffset: ContextLayout.Thread.depthLimit, as: kit.i32)
        let tooDeep = LLVMBuildICmp(builder, LLVMIntUGT, depth, limit, "")!
        let stackPointer = LLVMBuildPtrToInt(builder, kit.intrinsic("llvm.stacksave", [], []), kit.i64, "")!
        let stackLimit = kit.loadWord(thread, byteOffset: ContextLayout.Thread.stackLimit, as: kit.i64)
        let stackLow = LLVMBuildICmp(builder, LLVMIntULT, stackPointer, stackLimit, "")!
        trap(if: LLVMBuildOr(builder, tooDeep, stackLow, "")!, RuneAOTTrapCallStackExhausted)
        emitInterruptCheck()
    }

    mutating func emitInterruptCheck() {
        let address = kit.fieldAddress(threadPointer, byteOffset: ContextLayout.Thread.interrupt, of: kit.i32)
        let flag = LLVMBuildLoad2(builder, kit.i32, address, "interrupt")!
        LLVMSetVolatile(flag, 1)
        trap(if: LLVMBuildICmp(builder, LLVMIntNE, flag, kit.i32(0), "")!, RuneAOTTrapInterrupted)
    }

    func emitDepthDecrement() {
        let depthAddress = kit.fieldAddress(threadPointer, byteOffset: ContextLayout.Thread.depth, of: kit.i32)
        let depth = LLVMBuildSub(builder, LLVMBuildLoad2(builder, kit.i32, depthAddress, ""), kit.i32(1), "")!
        LLVMBuildStore(builder, depth, depthAddress)
    }

    // MARK: Translation

    mutating func translate(code: Code) throws(AOTError) {
        let entry = kit.appendBlock(function, "entry")
        LLVMPositionBuilderAtEnd(builder, entry)
        for (index, kind) in signature.parameters.enumerated() {
            let slot = LLVMBuildAlloca(builder, kit.type(kind), "p\(index)")!
            LLVMBuildStore(builder, LLVMGetParam(function, UInt32(index + 1)), slot)
            locals.append((slot, kind))
        }
        guard code.locals.count <= 50_000 else { throw AOTError(.unsupported, "too many locals") }
        for local in code.locals {
            let kind = try ValueKind(local)
            let slot = LLVMBuildAlloca(builder, kit.type(kind), "l")!
            LLVMBuildStore(builder, zero(kind), slot)
            locals.append((slot, kind))
        }
        if !module.wasm.memories.isEmpty {
            memoryCache = (LLVMBuildAlloca(builder, kit.i8Ptr, "memory.base")!, LLVMBuildAlloca(builder, kit.i64, "memory.size")!)
            reloadMemoryCache()
        }
        emitEntryChecks()
        let returnBlock = kit.appendBlock(function, "return")
        frames.append(Frame(kind: .function, parameters: [], results: signature.results, height: 0, endBlock: returnBlock))
        createEndPhis(&frames[0])

        var instructions = InstructionCollector()
        var parser = ExpressionParser(code: code)
        do {
            while let visit = try parser.parse() {
                try visit(visitor: &instructions)
            }
        } catch {
            throw AOTError(.malformed, "\(error)")
        }
        for instruction in instructions.instructions {
            guard !frames.isEmpty else { throw invalid("instructions after the function's end") }
            try translate(instruction)
        }
        guard frames.isEmpty else { throw invalid("unexpected end of function") }
        LLVMDisposeBuilder(phiBuilder)
    }

    func zero(_ kind: ValueKind) -> LLVMValueRef {
        switch kind {
        case .i32: kit.i32(0)
        case .i64: kit.i64(0)
        case .f32: kit.f32(bits: 0)
        case .f64: kit.f64(bits: 0)
        }
    }

    /// Phis at the top of a frame's end block, one per result.
    func createEndPhis(_ frame: inout Frame) {
        LLVMPositionBuilderAtEnd(phiBuilder, frame.endBlock)
        frame.endPhis = frame.results.map { LLVMBuildPhi(phiBuilder, kit.type($0), "")! }
    }

    mutating func translate(_ instruction: Instruction) throws(AOTError) {
        switch instruction {
        case .unreachable:
            emitTrapCall(RuneAOTTrapUnreachable)
            markUnreachable()
        case .nop: break
        case .block(let type): try openBlock(.block, type)
        case .loop(let type): try openBlock(.loop, type)
        case .if(let type): try openBlock(.ifThen, type)
        case .else: try translateElse()
        case .end: try translateEnd()
        case .br(let depth):
            try branch(to: depth)
            markUnreachable()
        case .brIf(let depth): try translateBrIf(depth)
        case .brTable(let targets): try translateBrTable(targets)
        case .return:
            try branch(to: UInt32(frames.count - 1))
            markUnreachable()
        case .call(let index): try translateCall(index)
        case .callIndirect(let typeIndex, let tableIndex): try translateCallIndirect(typeIndex, tableIndex)
        case .drop: if let value = try popAny().value { keepIfLoad(value) }
        case .select: try translateSelect(nil)
        case .typedSelect(let type): try translateSelect(type)
        case .localGet(let index):
            let local = try self.local(index)
            push(LLVMBuildLoad2(builder, kit.type(local.kind), local.pointer, "")!, local.kind)
        case .localSet(let index):
            let local = try self.local(index)
            LLVMBuildStore(builder, try pop(local.kind), local.pointer)
        case .localTee(let index):
            let local = try self.local(index)
            let value = try pop(local.kind)
            LLVMBuildStore(builder, value, local.pointer)
            push(value, local.kind)
        case .globalGet(let index):
            let (pointer, kind, _) = try global(index)
            push(LLVMBuildLoad2(builder, kit.type(kind), pointer, "")!, kind)
        case .globalSet(let index):
            let (pointer, kind, mutable) = try global(index)
            guard mutable else { throw invalid("global is immutable") }
            LLVMBuildStore(builder, try pop(kind), pointer)
        case .load(let load, let memarg): try translateLoad(load, memarg)
        case .store(let store, let memarg): try translateStore(store, memarg)
        case .memorySize(let memory): try translateMemorySize(memory)
        case .memoryGrow(let memory): try translateMemoryGrow(memory)
        case .memoryCopy(let destination, let source): try translateMemoryCopy(destination, source)
        case .memoryFill(let memory): try translateMemoryFill(memory)
        case .i32Const(let value): push(kit.i32(value), .i32)
        case .i64Const(let value): push(kit.i64(value), .i64)
        case .f32Const(let value): push(kit.f32(bits: value.bitPattern), .f32)
        case .f64Const(let value): push(kit.f64(bits: value.bitPattern), .f64)
        case .i32Eqz:
            let value = try pop(.i32)
            push(LLVMBuildZExt(builder, LLVMBuildICmp(builder, LLVMIntEQ, value, kit.i32(0), ""), kit.i32, "")!, .i32)
        case .i64Eqz:
            let value = try pop(.i64)
            push(LLVMBuildZExt(builder, LLVMBuildICmp(builder, LLVMIntEQ, value, kit.i64(0), ""), kit.i32, "")!, .i32)
        case .cmp(let op): try translateCompare(op)
        case .unary(let op): try translateUnary(op)
        case .binary(let op): try translateBinary(op)
        case .conversion(let op): try translateConversion(op)
        default:
            throw AOTError(.unsupported, "instruction \(instruction) is not supported")
        }
    }

    func local(_ index: UInt32) throws(AOTError) -> (pointer: LLVMValueRef, kind: ValueKind) {
        guard Int(index) < locals.count else { throw invalid("unknown local \(index)") }
        return locals[Int(index)]
    }

    /// The address of global `index`'s cell, as a pointer to its type.
    func global(_ index: UInt32) throws(AOTError) -> (LLVMValueRef, ValueKind, Bool) {
        guard Int(index) < module.wasm.globals.count else { throw invalid("unknown global \(index)") }
        let type = module.wasm.globals[Int(index)]
        let kind = try ValueKind(type.valueType)
        let cells = contextWord(ContextLayout.globals, as: kit.i8Ptr)
        let cell = kit.loadWord(cells, byteOffset: Int(index) * 8, as: kit.i8Ptr)
        let pointer = LLVMBuildBitCast(builder, cell, kit.pointer(to: kit.type(kind)), "")!
        return (pointer, kind, type.mutability == .variable)
    }

    mutating func translateSelect(_ type: ValueType?) throws(AOTError) {
        let condition = try pop(.i32)
        var kind: ValueKind?
        if let type { kind = try ValueKind(type) }
        let second = try popAny()
        let first = try popAny()
        if let k = kind {
            if let a = first.kind, a != k { throw invalid("type mismatch") }
            if let b = second.kind, b != k { throw invalid("type mismatch") }
        } else if let a = first.kind, let b = second.kind, a != b {
            throw invalid("type mismatch")
        }
        guard let resultKind = kind ?? first.kind ?? second.kind else {
            stack.append(Entry(value: nil, kind: nil))
            return
        }
        let type = kit.type(resultKind)
        let a = first.kind == nil ? kit.undef(type) : first.value!
        let b = second.kind == nil ? kit.undef(type) : second.value!
        let isTrue = LLVMBuildICmp(builder, LLVMIntNE, condition, kit.i32(0), "")!
        push(LLVMBuildSelect(builder, isTrue, a, b, "")!, resultKind)
    }
}

/// Collects a function body's instructions (WasmParser hands them to a visitor).
struct InstructionCollector: AnyInstructionVisitor {
    typealias VisitorError = Never
    var binaryOffset: Int = 0
    var instructions: [Instruction] = []
    mutating func visit(_ instruction: Instruction) { instructions.append(instruction) }
}
