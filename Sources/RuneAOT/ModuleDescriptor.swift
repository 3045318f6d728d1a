internal import CLLVM
import WasmParser
import WasmTypes

/// What a bare-metal target needs to instantiate a translated module without a WebAssembly
/// decoder: the module's instance storage and a constant `rune_aot_module` describing it (symbol `rune_aot_descriptor`), the
/// one symbol of the object a device host refers to. Its C mirror, and the host that reads it,
/// are in Runtime/cortex-m/aot/ (aot_context.h, aot_instance.c).
///
/// - Storage the object reserves (zeroed RAM, in `.bss.rune_aot.*` sections so a linker script
///   can place each one): the linear memory (its initial pages: `memory.grow` past them
///   returns -1, as the spec allows a host to), one 8-byte cell per global, the table.
/// - Constants (flash): each active data segment's bytes and offset, each global's initial
///   bits, the table's initial elements, a canonical id per type for `call_indirect`, the
///   imports (names, signature, the thunk that calls the host through the context) and the
///   exported functions (name, signature, entry wrapper), and the start function.
///
/// Offsets and initial values are computed here, so instantiating is copying: no constant
/// expression is evaluated on the device. Every function has internal linkage; code is reached
/// only through the descriptor and the context, never by name.
///
/// Layout: every field is 4 bytes (32-bit targets only), in the order of `rune_aot_module`.
struct ModuleDescriptor {
    /// `RAOT`, little-endian: what a host checks before trusting the rest.
    static let magic: UInt32 = 0x544F_4152
    /// Bumped whenever the layout below or the context's changes.
    static let version: UInt32 = 1
    static let symbol = "rune_aot_descriptor"

    let translator: ModuleTranslator
    var kit: LLVMKit { translator.kit }
    var wasm: WasmModule { translator.wasm }

    /// A signature as the device host checks it: parameter letters, ':', result letters
    /// (i i32, I i64, f f32, F f64). `capability_read` is "iii:i".
    static func signatureText(_ signature: Signature) -> String {
        func letter(_ kind: ValueKind) -> String {
            switch kind {
            case .i32: "i"
            case .i64: "I"
            case .f32: "f"
            case .f64: "F"
            }
        }
        return signature.parameters.map(letter).joined() + ":" + signature.results.map(letter).joined()
    }

    func emit() throws(AOTError) {
        guard translator.target.pointerBytes == 4 else {
            throw AOTError(.unsupported, "module descriptors are laid out for 32-bit targets")
        }
        for entry in wasm.imports {
            guard case .function = entry.descriptor else {
                throw AOTError(.unsupported, "import \(entry.module).\(entry.name) is not a function; a device host provides only functions")
            }
        }
        let types = canonicalTypeIDs()
        var fields: [LLVMValueRef] = [kit.i32(Int32(bitPattern: Self.magic)), kit.i32(Int32(Self.version))]
        fields += try memoryFields()
        fields += try globalFields()
        fields += try tableFields(types)
        fields += [pointer(constantArray("rune_aot.types", kit.i32, types.map { kit.i32($0) })), kit.i32(Int32(types.count))]
        fields += try dataFields()
        fields += try importFields()
        fields += try exportFields()
        if let start = wasm.start {
            fields.append(try entry(Int(start)))
        } else {
            fields.append(LLVMConstNull(kit.i8Ptr))
        }

        var values: [LLVMValueRef?] = fields
        let descriptor = LLVMConstStructInContext(kit.context, &values, UInt32(values.count), 0)!
        let global = LLVMAddGlobal(kit.module, LLVMTypeOf(descriptor), Self.symbol)!
        LLVMSetInitializer(global, descriptor)
        LLVMSetGlobalConstant(global, 1)
        LLVMSetAlignment(global, 4)
        LLVMSetSection(global, ".rodata.rune_aot.module")
        hideFunctions()
    }

    // MARK: Parts

    /// Function references compare equal when their types are structurally equal: the id of a
    /// type is the index of the first type equal to it.
    func canonicalTypeIDs() -> [Int32] {
        wasm.types.map { type in Int32(wasm.types.firstIndex(of: type)!) }
    }

    func memoryFields() throws(AOTError) -> [LLVMValueRef] {
        guard let memory = wasm.memories.first else { return [LLVMConstNull(kit.i8Ptr), kit.i32(0)] }
        let bytes = memory.min * 65536
        guard bytes <= UInt64(Int32.max) else {
            throw AOTError(.unsupported, "the memory starts at \(memory.min) pages, more than a 32-bit device can hold")
        }
        let storage = zeroedStorage("rune_aot.memory", bytes: Int(bytes), alignment: 8)
        return [storage, kit.i32(Int32(memory.min))]
    }

    func globalFields() throws(AOTError) -> [LLVMValueRef] {
        let count = wasm.globals.count
        let cells = zeroedStorage("rune_aot.globals", bytes: max(count, 1) * 8, alignment: 8)
        // context->globals: an 8-byte slot per global holding its cell's address.
        let slotType = slotStructType
        var slots: [LLVMValueRef] = []
        for index in 0..<count {
            var offset: [LLVMValueRef?] = [kit.i32(Int32(index * 8))]
            let cell = LLVMConstInBoundsGEP2(kit.i8, cells, &offset, 1)!
            slots.append(slot(cell))
        }
        var values: [LLVMValueRef] = []
        for expression in wasm.globalInitializers { values.append(kit.i64(Int64(bitPattern: try constant(expression)))) }
        return [cells, pointer(constantArray("rune_aot.global_slots", slotType, slots)),
                pointer(constantArray("rune_aot.global_values", kit.i64, values)), kit.i32(Int32(count))]
    }

    func tableFields(_ types: [Int32]) throws(AOTError) -> [LLVMValueRef] {
        guard let table = wasm.tables.first else {
            return [LLVMConstNull(kit.i8Ptr), kit.i32(0), LLVMConstNull(kit.i8Ptr), kit.i32(0)]
        }
        guard table.limits.min <= 1 << 20 else {
            throw AOTError(.unsupported, "a table of \(table.limits.min) entries is too large for a device")
        }
        let entries = zeroedStorage("rune_aot.table", bytes: max(Int(table.limits.min), 1) * ContextLayout.Table.entrySize, alignment: 8)
        var elementType: [LLVMTypeRef?] = [kit.i32, kit.i32, kit.i8Ptr]
        let type = LLVMStructTypeInContext(kit.context, &elementType, 3, 0)!
        var elements: [LLVMValueRef] = []
        for segment in wasm.elements {
            guard case .active(_, let offsetExpression) = segment.mode else { continue }
            let offset = UInt64(UInt32(truncatingIfNeeded: try constant(offsetExpression)))
            guard offset + UInt64(segment.initializer.count) <= table.limits.min else {
                throw AOTError(.instantiation, "out of bounds table access")
            }
            for (position, item) in segment.initializer.enumerated() {
                var fields: [LLVMValueRef?]
                if case .refFunc(let index)? = item.first {
                    let typeIndex = wasm.functionTypeIndices[Int(index)]
                    fields = [kit.i32(Int32(offset) + Int32(position)), kit.i32(types[Int(typeIndex)]), try functionAddress(Int(index))]
                } else {
                    fields = [kit.i32(Int32(offset) + Int32(position)), kit.i32(-1), LLVMConstNull(kit.i8Ptr)]
                }
                elements.append(LLVMConstNamedStruct(type, &fields, 3))
            }
        }
        return [entries, kit.i32(Int32(table.limits.min)), pointer(constantArray("rune_aot.elements", type, elements)),
                kit.i32(Int32(elements.count))]
    }

    func dataFields() throws(AOTError) -> [LLVMValueRef] {
        var fieldTypes: [LLVMTypeRef?] = [kit.i32, kit.i32, kit.i8Ptr]
        let type = LLVMStructTypeInContext(kit.context, &fieldTypes, 3, 0)!
        var segments: [LLVMValueRef] = []
        let pages = UInt64(wasm.memories.first?.min ?? 0)
        for (index, segment) in wasm.data.enumerated() {
            guard case .active(let active) = segment else {
                throw AOTError(.unsupported, "passive data segments are not supported on a device")
            }
            let offset = UInt64(UInt32(truncatingIfNeeded: try constant(active.offset)))
            guard offset + UInt64(active.initializer.count) <= pages * 65536 else {
                throw AOTError(.instantiation, "out of bounds memory access")
            }
            let bytes = Array(active.initializer)
            let text = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { LLVMConstStringInContext(kit.context, $0.baseAddress, UInt32($0.count), 1)! }
            }
            let global = constantGlobal("rune_aot.data.\(index)", text, alignment: 4)
            var fields: [LLVMValueRef?] = [kit.i32(Int32(bitPattern: UInt32(offset))), kit.i32(Int32(bytes.count)), pointer(global)]
            segments.append(LLVMConstNamedStruct(type, &fields, 3))
        }
        return [pointer(constantArray("rune_aot.data", type, segments)), kit.i32(Int32(segments.count))]
    }

    func importFields() throws(AOTError) -> [LLVMValueRef] {
        var fieldTypes: [LLVMTypeRef?] = [kit.i8Ptr, kit.i8Ptr, kit.i8Ptr, kit.i8Ptr]
        let type = LLVMStructTypeInContext(kit.context, &fieldTypes, 4, 0)!
        var entries: [LLVMValueRef] = []
        for (index, entry) in wasm.imports.enumerated() {
            let signature = try Signature(wasm.functionType(UInt32(index)))
            var fields: [LLVMValueRef?] = [try string(entry.module), try string(entry.name), try string(Self.signatureText(signature)),
                                           pointer(thunk(index))]
            entries.append(LLVMConstNamedStruct(type, &fields, 4))
        }
        return [pointer(constantArray("rune_aot.imports", type, entries)), kit.i32(Int32(entries.count))]
    }

    func exportFields() throws(AOTError) -> [LLVMValueRef] {
        var fieldTypes: [LLVMTypeRef?] = [kit.i8Ptr, kit.i8Ptr, kit.i8Ptr]
        let type = LLVMStructTypeInContext(kit.context, &fieldTypes, 3, 0)!
        var entries: [LLVMValueRef] = []
        for export in wasm.exports {
            guard case .function(let index) = export.descriptor else { continue }
            let signature = try Signature(wasm.functionType(index))
            var fields: [LLVMValueRef?] = [try string(export.name), try string(Self.signatureText(signature)), try entry(Int(index))]
            entries.append(LLVMConstNamedStruct(type, &fields, 3))
        }
        return [pointer(constantArray("rune_aot.exports", type, entries)), kit.i32(Int32(entries.count))]
    }

    // MARK: Helpers

    /// The bits of a constant expression; a device has no imported globals to read.
    func constant(_ expression: ConstExpression) throws(AOTError) -> UInt64 {
        switch expression.first {
        case .i32Const(let value)?: return UInt64(UInt32(bitPattern: value))
        case .i64Const(let value)?: return UInt64(bitPattern: value)
        case .f32Const(let value)?: return UInt64(value.bitPattern)
        case .f64Const(let value)?: return value.bitPattern
        default: throw AOTError(.unsupported, "constant expressions other than constants are not supported on a device")
        }
    }

    /// The code a table entry for function `index` runs with the module's context: its
    /// translation, or for an import the thunk that calls the host.
    func functionAddress(_ index: Int) throws(AOTError) -> LLVMValueRef {
        index < wasm.importedFunctionCount ? pointer(thunk(index)) : pointer(translator.functions[index - wasm.importedFunctionCount])
    }

    func thunk(_ index: Int) -> LLVMValueRef { LLVMGetNamedFunction(kit.module, ModuleTranslator.thunkName(index))! }

    func entry(_ index: Int) throws(AOTError) -> LLVMValueRef {
        guard let function = LLVMGetNamedFunction(kit.module, ModuleTranslator.entryName(index)) else {
            throw AOTError(.llvm, "function \(index) has no entry wrapper")
        }
        return pointer(function)
    }

    /// `{ i8*, i32 }`: an 8-byte slot holding a 4-byte pointer, as the context's fields are.
    var slotStructType: LLVMTypeRef {
        var members: [LLVMTypeRef?] = [kit.i8Ptr, kit.i32]
        return LLVMStructTypeInContext(kit.context, &members, 2, 0)!
    }

    func slot(_ address: LLVMValueRef) -> LLVMValueRef {
        var members: [LLVMValueRef?] = [pointer(address), kit.i32(0)]
        return LLVMConstNamedStruct(slotStructType, &members, 2)
    }

    func pointer(_ value: LLVMValueRef) -> LLVMValueRef { LLVMConstBitCast(value, kit.i8Ptr) }

    /// A NUL-terminated name; names with a NUL in them cannot be told apart on the device.
    func string(_ text: String) throws(AOTError) -> LLVMValueRef {
        guard !text.utf8.contains(0) else { throw AOTError(.unsupported, "the name '\(text)' holds a NUL character") }
        let value = LLVMConstStringInContext(kit.context, text, UInt32(text.utf8.count), 0)!
        return pointer(constantGlobal("rune_aot.name", value, alignment: 1))
    }

    func constantArray(_ name: String, _ type: LLVMTypeRef, _ elements: [LLVMValueRef]) -> LLVMValueRef {
        guard !elements.isEmpty else { return LLVMConstNull(kit.i8Ptr) }
        var values: [LLVMValueRef?] = elements
        return constantGlobal(name, LLVMConstArray(type, &values, UInt32(values.count)), alignment: 8)
    }

    func constantGlobal(_ name: String, _ value: LLVMValueRef, alignment: UInt32) -> LLVMValueRef {
        let global = LLVMAddGlobal(kit.module, LLVMTypeOf(value), name)!
        LLVMSetInitializer(global, value)
        LLVMSetGlobalConstant(global, 1)
        LLVMSetLinkage(global, LLVMPrivateLinkage)
        LLVMSetAlignment(global, alignment)
        return global
    }

    /// Zeroed RAM of the instance, in its own `.bss.` section (named so that it is NOBITS).
    func zeroedStorage(_ name: String, bytes: Int, alignment: UInt32) -> LLVMValueRef {
        let type = LLVMArrayType(kit.i8, UInt32(bytes))!
        let global = LLVMAddGlobal(kit.module, type, name)!
        LLVMSetInitializer(global, LLVMConstNull(type))
        LLVMSetLinkage(global, LLVMInternalLinkage)
        LLVMSetAlignment(global, alignment)
        LLVMSetSection(global, ".bss.\(name)")
        return pointer(global)
    }

    /// Every function internal: the descriptor is the object's only way in.
    func hideFunctions() {
        var function = LLVMGetFirstFunction(kit.module)
        while let current = function {
            if LLVMIsDeclaration(current) == 0 { LLVMSetLinkage(current, LLVMInternalLinkage) }
            function = LLVMGetNextFunction(current)
        }
    }
}
