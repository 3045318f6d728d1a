internal import CLLVM
import CRuneAOTSupport
import WasmParser
import WasmTypes

/// Blocks, loops, `if`, branches and calls.
extension FunctionTranslator {
    func blockSignature(_ type: BlockType) throws(AOTError) -> (parameters: [ValueKind], results: [ValueKind]) {
        switch type {
        case .empty: return ([], [])
        case .type(let value): return ([], [try ValueKind(value)])
        case .funcType(let index):
            let signature = try Signature(module.wasm.type(index))
            return (signature.parameters, signature.results)
        }
    }

    mutating func openBlock(_ kind: FrameKind, _ type: BlockType) throws(AOTError) {
        let (parameters, results) = try blockSignature(type)
        var condition: LLVMValueRef?
        if kind == .ifThen { condition = try pop(.i32) }
        let values = try pop(parameters)
        let endBlock = kit.appendBlock(function, kind == .loop ? "loop.end" : "end")
        var frame = Frame(kind: kind, parameters: parameters, results: results, height: stack.count, endBlock: endBlock)
        createEndPhis(&frame)
        frame.parameterValues = values
        switch kind {
        case .loop:
            let header = kit.appendBlock(function, "loop")
            let predecessor = LLVMGetInsertBlock(builder)!
            LLVMBuildBr(builder, header)
            LLVMPositionBuilderAtEnd(builder, header)
            frame.headerBlock = header
            frame.headerPhis = parameters.map { LLVMBuildPhi(builder, kit.type($0), "")! }
            for (phi, value) in zip(frame.headerPhis, values) { addIncoming(phi, value, predecessor) }
            frames.append(frame)
            push(frame.headerPhis, parameters)
            // No interrupt check here: a check is an exit from every loop, which keeps LLVM from
            // vectorizing it (person_detection ran 2.4x slower). A timeout signals the thread
            // instead, and the handler stops translated code wherever it is running.
        case .ifThen:
            let thenBlock = kit.appendBlock(function, "then")
            let elseBlock = kit.appendBlock(function, "else")
            let isTrue = LLVMBuildICmp(builder, LLVMIntNE, condition!, kit.i32(0), "")!
            LLVMBuildCondBr(builder, isTrue, thenBlock, elseBlock)
            LLVMPositionBuilderAtEnd(builder, thenBlock)
            frame.elseBlock = elseBlock
            frames.append(frame)
            push(values, parameters)
        default:
            frames.append(frame)
            push(values, parameters)
        }
        // A block opened in unreachable code is itself unreachable code, but its stack is not
        // polymorphic: validation continues with the declared parameters.
    }

    func addIncoming(_ phi: LLVMValueRef, _ value: LLVMValueRef, _ block: LLVMBasicBlockRef) {
        var values: [LLVMValueRef?] = [value]
        var blocks: [LLVMBasicBlockRef?] = [block]
        LLVMAddIncoming(phi, &values, &blocks, 1)
    }

    /// Pops the values a branch to `frame` carries and pushes them back (a branch does not
    /// consume them until the code after it is unreachable).
    mutating func labelValues(_ frameIndex: Int) throws(AOTError) -> [LLVMValueRef] {
        let types = frames[frameIndex].labelTypes
        let values = try pop(types)
        push(values, types)
        return values
    }

    /// Branches to the label `depth` frames out, carrying its values.
    mutating func branch(to depth: UInt32) throws(AOTError) {
        guard Int(depth) < frames.count else { throw invalid("unknown label") }
        let index = frames.count - 1 - Int(depth)
        let values = try labelValues(index)
        jump(toFrame: index, values)
    }

    mutating func jump(toFrame index: Int, _ values: [LLVMValueRef]) {
        let current = LLVMGetInsertBlock(builder)!
        if frames[index].kind == .loop {
            for (phi, value) in zip(frames[index].headerPhis, values) { addIncoming(phi, value, current) }
            LLVMBuildBr(builder, frames[index].headerBlock!)
        } else {
            for (phi, value) in zip(frames[index].endPhis, values) { addIncoming(phi, value, current) }
            frames[index].branchedToEnd = true
            LLVMBuildBr(builder, frames[index].endBlock)
        }
    }

    mutating func translateBrIf(_ depth: UInt32) throws(AOTError) {
        let condition = try pop(.i32)
        guard Int(depth) < frames.count else { throw invalid("unknown label") }
        let index = frames.count - 1 - Int(depth)
        let values = try labelValues(index)
        let taken = kit.appendBlock(function, "br_if")
        let next = kit.appendBlock(function, "br_if.else")
        LLVMBuildCondBr(builder, LLVMBuildICmp(builder, LLVMIntNE, condition, kit.i32(0), ""), taken, next)
        LLVMPositionBuilderAtEnd(builder, taken)
        jump(toFrame: index, values)
        LLVMPositionBuilderAtEnd(builder, next)
    }

    mutating func translateBrTable(_ table: BrTable) throws(AOTError) {
        let selector = try pop(.i32)
        guard Int(table.defaultIndex) < frames.count else { throw invalid("unknown label") }
        let defaultFrame = frames.count - 1 - Int(table.defaultIndex)
        let arity = frames[defaultFrame].labelTypes.count
        for label in table.labelIndices {
            guard Int(label) < frames.count else { throw invalid("unknown label") }
            let types = frames[frames.count - 1 - Int(label)].labelTypes
            guard types.count == arity else { throw invalid("type mismatch") }
            // Each target checks the values against its own types.
            _ = try labelValues(frames.count - 1 - Int(label))
        }
        let values = try labelValues(defaultFrame)
        // One trampoline block per distinct target, so each phi gets one entry per edge.
        var trampolines: [UInt32: LLVMBasicBlockRef] = [:]
        let current = LLVMGetInsertBlock(builder)!
        func trampoline(_ label: UInt32, _ translator: inout FunctionTranslator) -> LLVMBasicBlockRef {
            if let block = trampolines[label] { return block }
            let block = translator.kit.appendBlock(translator.function, "br_table")
            LLVMPositionBuilderAtEnd(translator.builder, block)
            let index = translator.frames.count - 1 - Int(label)
            let types = translator.frames[index].labelTypes
            // Values for a target of another type (possible only in unreachable code) are undef.
            var carried = values
            if types.count == values.count {
                for (position, kind) in types.enumerated() where LLVMTypeOf(values[position]) != translator.kit.type(kind) {
                    carried[position] = translator.kit.undef(translator.kit.type(kind))
                }
            }
            translator.jump(toFrame: index, carried)
            trampolines[label] = block
            return block
        }
        let defaultBlock = trampoline(table.defaultIndex, &self)
        var cases: [(UInt64, LLVMBasicBlockRef)] = []
        for (position, label) in table.labelIndices.enumerated() {
            cases.append((UInt64(position), trampoline(label, &self)))
        }
        LLVMPositionBuilderAtEnd(builder, current)
        let switchInstruction = LLVMBuildSwitch(builder, selector, defaultBlock, UInt32(cases.count))!
        for (value, block) in cases { LLVMAddCase(switchInstruction, kit.constant(kit.i32, value), block) }
        markUnreachable()
    }

    mutating func translateElse() throws(AOTError) {
        guard var frame = frames.last, frame.kind == .ifThen else { throw invalid("else without if") }
        try finishFrameBody(&frame)
        frames[frames.count - 1] = frame
        frames[frames.count - 1].kind = .ifElse
        frames[frames.count - 1].unreachable = false
        LLVMPositionBuilderAtEnd(builder, frame.elseBlock!)
        frames[frames.count - 1].elseBlock = nil
        push(frame.parameterValues, frame.parameters)
    }

    /// Checks the frame's results and, when the end is reachable, branches there with them.
    mutating func finishFrameBody(_ frame: inout Frame) throws(AOTError) {
        let values = try pop(frame.results)
        guard stack.count == frame.height else { throw invalid("type mismatch") }
        frame = frames[frames.count - 1]
        if frame.unreachable {
            LLVMBuildUnreachable(builder)
        } else {
            let current = LLVMGetInsertBlock(builder)!
            for (phi, value) in zip(frame.endPhis, values) { addIncoming(phi, value, current) }
            frame.branchedToEnd = true
            LLVMBuildBr(builder, frame.endBlock)
        }
    }

    mutating func translateEnd() throws(AOTError) {
        guard var frame = frames.last else { throw invalid("unexpected end") }
        try finishFrameBody(&frame)
        if frame.kind == .ifThen {
            // No else: the parameters fall through as the results.
            guard frame.parameters == frame.results else { throw invalid("type mismatch") }
            LLVMPositionBuilderAtEnd(builder, frame.elseBlock!)
            for (phi, value) in zip(frame.endPhis, frame.parameterValues) { addIncoming(phi, value, frame.elseBlock!) }
            frame.branchedToEnd = true
            LLVMBuildBr(builder, frame.endBlock)
        }
        frames.removeLast()
        LLVMPositionBuilderAtEnd(builder, frame.endBlock)
        if frame.kind == .function {
            emitDepthDecrement()
            switch frame.results.count {
            case 0: LLVMBuildRetVoid(builder)
            case 1: LLVMBuildRet(builder, frame.endPhis[0])
            default:
                var values: [LLVMValueRef?] = frame.endPhis
                LLVMBuildAggregateRet(builder, &values, UInt32(values.count))
            }
            return
        }
        if !frame.branchedToEnd {
            // Nothing reaches the end; the phis would have no entries.
            for phi in frame.endPhis { LLVMInstructionEraseFromParent(phi) }
            push(frame.results.map { kit.undef(kit.type($0)) }, frame.results)
        } else {
            push(frame.endPhis, frame.results)
        }
    }

    // MARK: Calls

    /// Calls `callee` (of wasm type `signature`) with `calleeContext`, pushing its results.
    mutating func emitCall(_ callee: LLVMValueRef, _ signature: Signature, context calleeContext: LLVMValueRef, arguments: [LLVMValueRef]) {
        let type = kit.functionType(signature)
        let result = kit.call(type, callee, [calleeContext] + arguments)
        // The callee (or a host function) may have grown the memory, moving or resizing it.
        reloadMemoryCache()
        switch signature.results.count {
        case 0: break
        case 1: push(result, signature.results[0])
        default:
            for (index, kind) in signature.results.enumerated() {
                push(LLVMBuildExtractValue(builder, result, UInt32(index), "")!, kind)
            }
        }
    }

    mutating func translateCall(_ index: UInt32) throws(AOTError) {
        let signature = try Signature(module.wasm.functionType(index))
        let arguments = try pop(signature.parameters)
        if Int(index) < module.wasm.importedFunctionCount {
            let (callee, calleeContext) = importedFunction(Int(index), signature)
            emitCall(callee, signature, context: calleeContext, arguments: arguments)
        } else {
            emitCall(module.functions[Int(index) - module.wasm.importedFunctionCount], signature, context: context, arguments: arguments)
        }
    }

    /// The code and context of imported function `index`, from the context's import array.
    func importedFunction(_ index: Int, _ signature: Signature) -> (LLVMValueRef, LLVMValueRef) {
        let imports = contextWord(ContextLayout.imports, as: kit.i8Ptr)
        let base = index * ContextLayout.Import.size
        let code = kit.loadWord(imports, byteOffset: base + ContextLayout.Import.function, as: kit.pointer(to: kit.functionType(signature)))
        let calleeContext = kit.loadWord(imports, byteOffset: base + ContextLayout.Import.context, as: kit.i8Ptr)
        return (code, calleeContext)
    }

    mutating func translateCallIndirect(_ typeIndex: UInt32, _ tableIndex: UInt32) throws(AOTError) {
        guard Int(tableIndex) < module.wasm.tables.count else { throw invalid("unknown table \(tableIndex)") }
        let signature = try Signature(module.wasm.type(typeIndex))
        let element = try pop(.i32)
        let arguments = try pop(signature.parameters)
        let table = contextWord(ContextLayout.table, as: kit.i8Ptr)
        let size = kit.loadWord(table, byteOffset: ContextLayout.Table.size, as: kit.i64)
        let index = LLVMBuildZExt(builder, element, kit.i64, "")!
        trap(if: LLVMBuildICmp(builder, LLVMIntUGE, index, size, "")!, RuneAOTTrapUndefinedElement, index)
        let entries = kit.loadWord(table, byteOffset: ContextLayout.Table.entries, as: kit.i8Ptr)
        var offset: [LLVMValueRef?] = [LLVMBuildMul(builder, index, kit.i64(Int64(ContextLayout.Table.entrySize)), "")]
        let entry = LLVMBuildInBoundsGEP2(builder, kit.i8, entries, &offset, 1, "")!
        let code = kit.loadWord(entry, byteOffset: ContextLayout.Table.function, as: kit.i8Ptr)
        trap(if: LLVMBuildIsNull(builder, code, "")!, RuneAOTTrapUninitializedElement, index)
        let actual = kit.loadWord(entry, byteOffset: ContextLayout.Table.typeID, as: kit.i32)
        let typeIDs = contextWord(ContextLayout.typeIDs, as: kit.i8Ptr)
        let expected = kit.loadWord(typeIDs, byteOffset: Int(typeIndex) * 4, as: kit.i32)
        trap(if: LLVMBuildICmp(builder, LLVMIntNE, actual, expected, "")!, RuneAOTTrapIndirectCallTypeMismatch,
             LLVMBuildSExt(builder, expected, kit.i64, "")!, LLVMBuildSExt(builder, actual, kit.i64, "")!)
        let calleeContext = kit.loadWord(entry, byteOffset: ContextLayout.Table.context, as: kit.i8Ptr)
        let callee = LLVMBuildBitCast(builder, code, kit.pointer(to: kit.functionType(signature)), "")!
        emitCall(callee, signature, context: calleeContext, arguments: arguments)
    }
}
