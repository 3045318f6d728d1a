import CRuneAOTSupport
import WasmParser
import WasmTypes

/// One instance of an `AOTModule`: its memory, table, globals and context.
public final class AOTInstance {
    public let module: AOTModule
    public let store: AOTStore
    let context: UnsafeMutablePointer<RuneAOTContext>
    public let memory: AOTMemory?
    public let table: AOTTable?
    let globals: [AOTGlobal]
    let globalCells: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    let importSlots: UnsafeMutablePointer<RuneAOTImport>
    let typeIDs: UnsafeMutablePointer<Int32>
    let functions: [AOTFunction?]
    /// Host functions by import index, with their signatures, looked up once at instantiation:
    /// a rune calls them on every `_call`, so the call path does no decoding or hashing.
    /// Not checked for exclusive access at run time (nor is `pendingHostError`): an instance
    /// runs on one thread at a time, and these are read or set on every host call.
    @exclusivity(unchecked) var hostFunctions: [HostImplementation?] = []
    /// The raw ones (``AOTFunction/host(_:raw:)``) again, apart and unmanaged (`owners` keeps
    /// them): a host call then borrows the closure, with no enum copy and no retain and release
    /// (a measurable part of a host call that does little).
    @exclusivity(unchecked) var rawHostFunctions: [Unmanaged<RawHostFunction>?] = []
    /// The error a host function threw; the call that trapped with it rethrows it.
    @exclusivity(unchecked) var pendingHostError: Error?
    /// Imported functions' owners, kept alive while this instance is.
    var owners: [AnyObject] = []

    /// Instantiates `module`: resolves its imports with `resolve(module, name)`, initializes
    /// globals, tables and memory, and runs its start function.
    public init(module: AOTModule, store: AOTStore, imports resolve: (String, String) -> AOTExternal?) throws {
        self.module = module
        self.store = store
        let wasm = module.wasm
        context = .allocate(capacity: 1)
        context.initialize(to: RuneAOTContext())
        importSlots = .allocate(capacity: max(wasm.importedFunctionCount, 1))
        typeIDs = .allocate(capacity: max(wasm.types.count, 1))
        for (index, type) in wasm.types.enumerated() { typeIDs[index] = TypeRegistry.id(type) }
        globalCells = .allocate(capacity: max(wasm.globals.count, 1))

        var importedFunctions: [AOTFunction] = []
        var importedGlobals: [AOTGlobal] = []
        var importedMemory: AOTMemory?
        var importedTable: AOTTable?
        for entry in wasm.imports {
            guard let external = resolve(entry.module, entry.name) else {
                throw AOTError(.link, "unknown import \(entry.module).\(entry.name)")
            }
            switch (entry.descriptor, external) {
            case (.function(let typeIndex), .function(let function)):
                guard try wasm.type(typeIndex) == function.type else {
                    throw AOTError(.link, "incompatible import type for \(entry.module).\(entry.name)")
                }
                importedFunctions.append(function)
            case (.global(let type), .global(let global)):
                guard type == global.type else { throw AOTError(.link, "incompatible import type for \(entry.module).\(entry.name)") }
                importedGlobals.append(global)
            case (.memory(let type), .memory(let memory)):
                guard memory.pages >= type.min, type.max.map({ memory.maximumPages <= $0 }) ?? true else {
                    throw AOTError(.link, "incompatible import type for \(entry.module).\(entry.name)")
                }
                importedMemory = memory
            case (.table(let type), .table(let table)):
                guard table.size >= type.limits.min,
                      type.limits.max.map({ table.maximum != nil && table.maximum! <= $0 }) ?? true else {
                    throw AOTError(.link, "incompatible import type for \(entry.module).\(entry.name)")
                }
                importedTable = table
            default:
                throw AOTError(.link, "incompatible import type for \(entry.module).\(entry.name)")
            }
        }

        if let importedMemory {
            memory = importedMemory
        } else if let type = wasm.memories.first {
            let cap = min(type.max ?? 65536, store.maxMemoryPages)
            guard type.min <= cap else {
                throw AOTError(.link, "the memory starts at \(type.min) pages, over the limit of \(cap) pages")
            }
            memory = try AOTMemory(pages: type.min, maximumPages: cap)
        } else {
            memory = nil
        }
        if let importedTable {
            table = importedTable
        } else if let type = wasm.tables.first {
            table = try AOTTable(size: type.limits.min, maximum: type.limits.max)
        } else {
            table = nil
        }

        var globals = importedGlobals
        for (index, initializer) in wasm.globalInitializers.enumerated() {
            let type = wasm.globals[wasm.importedGlobalCount + index]
            globals.append(AOTGlobal(type: type, value: try Self.evaluate(initializer, globals: importedGlobals)))
        }
        self.globals = globals
        for (index, global) in globals.enumerated() { globalCells[index] = global.cell }

        // Functions as values: imported ones as given, defined ones' native code with our context.
        let contextPointer = UnsafeMutableRawPointer(context)
        var functions: [AOTFunction?] = importedFunctions
        for index in wasm.importedFunctionCount..<wasm.functionTypeIndices.count {
            functions.append(nil)
            _ = index
        }
        self.functions = functions

        context.pointee.memory = memory?.raw
        context.pointee.globals = globalCells
        context.pointee.table = table?.raw
        context.pointee.imports = importSlots
        context.pointee.typeIDs = UnsafePointer(typeIDs)
        context.pointee.thread = store.thread
        context.pointee.trap = rune_aot_trap
        context.pointee.memoryGrow = rune_aot_memory_grow
        context.pointee.hostCall = aotHostCall
        context.pointee.host = nil

        hostFunctions = Array(repeating: nil, count: importedFunctions.count)
        rawHostFunctions = Array(repeating: nil, count: importedFunctions.count)
        for (index, function) in importedFunctions.enumerated() {
            switch function.body {
            case .native(let code, let calleeContext, _, let owner):
                importSlots[index] = RuneAOTImport(function: UnsafeMutableRawPointer(mutating: code), context: calleeContext)
                owners.append(owner)
            case .host(let implementation):
                importSlots[index] = try hostSlot(index, contextPointer)
                hostFunctions[index] = .values(implementation, try Signature(function.type))
            case .rawHost(let implementation):
                importSlots[index] = try hostSlot(index, contextPointer)
                hostFunctions[index] = .raw(implementation)
                let function = RawHostFunction(implementation)
                owners.append(function)
                rawHostFunctions[index] = Unmanaged.passUnretained(function)
            }
        }
        context.pointee.host = Unmanaged.passUnretained(self).toOpaque()

        try initializeSegments()
        if let start = wasm.start {
            _ = try invoke(function: Int(start), [])
        }
    }

    /// The import slot of host function `index`: its thunk, which calls back through the context.
    private func hostSlot(_ index: Int, _ contextPointer: UnsafeMutableRawPointer) throws -> RuneAOTImport {
        guard let thunk = module.code.address(of: ModuleTranslator.thunkName(index)) else {
            throw AOTError(.llvm, "missing import thunk \(index)")
        }
        return RuneAOTImport(function: UnsafeMutableRawPointer(mutating: thunk), context: contextPointer)
    }

    deinit {
        context.deallocate()
        importSlots.deallocate()
        typeIDs.deallocate()
        globalCells.deallocate()
    }

    static func evaluate(_ expression: ConstExpression, globals: [AOTGlobal]) throws(AOTError) -> AOTValue {
        switch expression.first {
        case .i32Const(let value)?: return .i32(UInt32(bitPattern: value))
        case .i64Const(let value)?: return .i64(UInt64(bitPattern: value))
        case .f32Const(let value)?: return .f32(value.bitPattern)
        case .f64Const(let value)?: return .f64(value.bitPattern)
        case .globalGet(let index)? where Int(index) < globals.count: return globals[Int(index)].value
        default: throw AOTError(.unsupported, "unsupported constant expression")
        }
    }

    /// The native code of function `index` and the context it runs with.
    func reference(_ index: Int) throws(AOTError) -> (code: UnsafeRawPointer, context: UnsafeMutableRawPointer, type: FunctionType) {
        let type = try module.wasm.functionType(UInt32(index))
        if index < module.wasm.importedFunctionCount {
            let slot = importSlots[index]
            return (UnsafeRawPointer(slot.function!), slot.context!, type)
        }
        guard let code = module.code.address(of: ModuleTranslator.functionName(index)) else {
            throw AOTError(.llvm, "function \(index) has no code")
        }
        return (code, UnsafeMutableRawPointer(context), type)
    }

    /// Active element and data segments, in order; the first that does not fit fails
    /// instantiation (the writes before it stay, as the spec says).
    func initializeSegments() throws {
        let wasm = module.wasm
        for segment in wasm.elements {
            guard case .active(_, let offsetExpression) = segment.mode, let table else { continue }
            let offset = UInt64(UInt32(truncatingIfNeeded: try Self.evaluate(offsetExpression, globals: globals).bits))
            guard offset + UInt64(segment.initializer.count) <= table.size else {
                throw AOTTrap(reason: "out of bounds table access")
            }
            for (position, item) in segment.initializer.enumerated() {
                let slot = table.raw.pointee.entries + Int(offset) + position
                if case .refFunc(let index)? = item.first {
                    let (code, calleeContext, type) = try reference(Int(index))
                    slot.pointee = RuneAOTTableEntry(typeID: TypeRegistry.id(type), padding: 0,
                                                     function: UnsafeMutableRawPointer(mutating: code), context: calleeContext)
                } else {
                    slot.pointee = RuneAOTTableEntry(typeID: -1, padding: 0, function: nil, context: nil)
                }
            }
            table.owners.append(self)
        }
        for segment in wasm.data {
            guard case .active(let active) = segment, let memory else { continue }
            let offset = UInt64(UInt32(truncatingIfNeeded: try Self.evaluate(active.offset, globals: globals).bits))
            guard offset + UInt64(active.initializer.count) <= UInt64(memory.byteCount) else {
                throw AOTTrap(reason: "out of bounds memory access")
            }
            // One copy, not a byte loop: a model's weights are most of a rune, and this runs on
            // every load.
            if !active.initializer.isEmpty {
                memory.withUnsafeMutableBytes { bytes in
                    active.initializer.withUnsafeBytes { source in
                        (bytes.baseAddress! + Int(offset)).copyMemory(from: source.baseAddress!, byteCount: source.count)
                    }
                }
            }
        }
    }

    // MARK: Exports

    public func export(_ name: String) -> AOTExternal? {
        guard let export = module.wasm.exports.first(where: { $0.name.utf8.elementsEqual(name.utf8) }) else { return nil }
        switch export.descriptor {
        case .function(let index):
            guard let (code, calleeContext, type) = try? reference(Int(index)) else { return nil }
            let entry = module.code.address(of: ModuleTranslator.entryName(Int(index)))
            if Int(index) < module.wasm.importedFunctionCount, let imported = functions[Int(index)] {
                return .function(imported)
            }
            return .function(AOTFunction(type: type, body: .native(code: code, context: calleeContext, entry: entry, owner: self)))
        case .global(let index): return .global(globals[Int(index)])
        case .memory: return memory.map { .memory($0) }
        case .table: return table.map { .table($0) }
        case .tag: return nil
        }
    }

    /// Calls the exported function `name`.
    public func invoke(_ name: String, _ arguments: [AOTValue]) throws -> [AOTValue] {
        try invoke(function: try exportedFunction(name), arguments)
    }

    /// An exported function to call many times, looked up once: see ``AOTEntryPoint``.
    public func entryPoint(_ name: String) throws -> AOTEntryPoint {
        let index = try exportedFunction(name)
        let (entry, signature) = try self.entry(index)
        return AOTEntryPoint(instance: self, type: try module.wasm.functionType(UInt32(index)), entry: entry,
                             count: max(signature.parameters.count, signature.results.count, 1))
    }

    /// The index of the function exported as `name`.
    private func exportedFunction(_ name: String) throws -> Int {
        // Keyed by bytes: Swift's String equality would merge canonically equivalent names.
        let key = Array(name.utf8)
        if let index = exportedFunctions[key] { return index }
        guard let export = module.wasm.exports.first(where: { $0.name.utf8.elementsEqual(name.utf8) }), case .function(let index) = export.descriptor else {
            throw AOTError(.link, "no exported function '\(name)'")
        }
        exportedFunctions[key] = Int(index)
        return Int(index)
    }

    private var exportedFunctions: [[UInt8]: Int] = [:]

    /// Entry wrappers and signatures already looked up.
    private var entries: [Int: (entry: UnsafeRawPointer, signature: Signature)] = [:]

    func entry(_ index: Int) throws(AOTError) -> (entry: UnsafeRawPointer, signature: Signature) {
        if let entry = entries[index] { return entry }
        let signature = try Signature(module.wasm.functionType(UInt32(index)))
        guard let entry = module.code.address(of: ModuleTranslator.entryName(index)) else {
            throw AOTError(.llvm, "function \(index) has no entry")
        }
        entries[index] = (entry, signature)
        return (entry, signature)
    }

    func invoke(function index: Int, _ arguments: [AOTValue]) throws -> [AOTValue] {
        let (entry, signature) = try self.entry(index)
        guard arguments.map({ $0.kind }) == signature.parameters else {
            throw AOTError(.link, "wrong arguments for function \(index)")
        }
        var values = [UInt64](repeating: 0, count: max(signature.parameters.count, signature.results.count, 1))
        for (position, argument) in arguments.enumerated() { values[position] = argument.bits }
        try values.withUnsafeMutableBufferPointer { buffer in try run(entry: entry, values: buffer.baseAddress!) }
        return signature.results.enumerated().map { AOTValue(bits: values[$0], $1) }
    }

    /// Runs entry wrapper `entry` on `values` (arguments in, results out); throws the trap that
    /// stopped it, or the error of the host function that failed.
    func run(entry: UnsafeRawPointer, values: UnsafeMutablePointer<UInt64>) throws {
        var detail: (Int64, Int64) = (0, 0)
        let entryFunction = unsafeBitCast(entry, to: (@convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt64>?) -> Void).self)
        pendingHostError = nil
        let code = withUnsafeMutablePointer(to: &detail) { detailPointer in
            detailPointer.withMemoryRebound(to: Int64.self, capacity: 2) { details in
                rune_aot_invoke(entryFunction, UnsafeMutableRawPointer(context), values, store.thread, details)
            }
        }
        if code != 0 {
            if code == Int32(RuneAOTTrapHost.rawValue), let error = pendingHostError {
                pendingHostError = nil
                throw error
            }
            throw AOTTrap(reason: Self.reason(code: code, detail.0, detail.1))
        }
    }

    /// The interpreter's (WasmKit's) text for each trap.
    static func reason(code: Int32, _ detail1: Int64, _ detail2: Int64) -> String {
        switch RuneAOTTrap(rawValue: UInt32(code)) {
        case RuneAOTTrapUnreachable: "unreachable"
        case RuneAOTTrapDivideByZero: "integer divide by zero"
        case RuneAOTTrapIntegerOverflow: "integer overflow"
        case RuneAOTTrapInvalidConversion: "invalid conversion to integer"
        case RuneAOTTrapMemoryOutOfBounds: "out of bounds memory access"
        case RuneAOTTrapIndirectCallTypeMismatch:
            "indirect call type mismatch, expected \(TypeRegistry.type(detail1).map { "\($0)" } ?? "?"), got \(TypeRegistry.type(detail2).map { "\($0)" } ?? "?")"
        case RuneAOTTrapUndefinedElement: "out of bounds table access at \(detail1) (undefined element)"
        case RuneAOTTrapUninitializedElement: "indirect call to null element (uninitialized element \(detail1))"
        case RuneAOTTrapCallStackExhausted: "call stack exhausted"
        case RuneAOTTrapInterrupted: "interrupted"
        case RuneAOTTrapHost: "a host function failed"
        default: "unknown trap \(code)"
        }
    }

    /// Runs host function `index` with the arguments in `values`, writing its results there.
    /// Returns 0, or the trap to stop the call with: `RuneAOTTrapHost` when the function failed,
    /// `RuneAOTTrapInterrupted` when the call was interrupted meanwhile.
    func callHost(_ index: Int, _ values: UnsafeMutablePointer<UInt64>) -> Int32 {
        let status = callHostFunction(index, values)
        if status == 0 && store.thread.pointee.interrupt != 0 { return Int32(RuneAOTTrapInterrupted.rawValue) }
        return status
    }

    private func callHostFunction(_ index: Int, _ values: UnsafeMutablePointer<UInt64>) -> Int32 {
        let failed = Int32(RuneAOTTrapHost.rawValue)
        guard index < hostFunctions.count else { return failed }
        if let function = rawHostFunctions[index] {
            do {
                try function._withUnsafeGuaranteedRef { try $0.body(values) }
                return 0
            } catch {
                pendingHostError = error
                return failed
            }
        }
        do {
            switch hostFunctions[index] {
            case nil:
                return failed
            case .raw(let implementation)?:
                try implementation(values)
            case .values(let implementation, let signature)?:
                var arguments: [AOTValue] = []
                arguments.reserveCapacity(signature.parameters.count)
                for (position, kind) in signature.parameters.enumerated() { arguments.append(AOTValue(bits: values[position], kind)) }
                let results = try implementation(arguments)
                guard results.count == signature.results.count,
                      zip(results, signature.results).allSatisfy({ $0.kind == $1 }) else {
                    pendingHostError = AOTError(.link, "host function \(index) returned the wrong results")
                    return failed
                }
                for (position, result) in results.enumerated() { values[position] = result.bits }
            }
            return 0
        } catch {
            pendingHostError = error
            return failed
        }
    }

    /// A raw host function's closure, in an object a host call can borrow.
    final class RawHostFunction {
        let body: (UnsafeMutablePointer<UInt64>) throws -> Void
        init(_ body: @escaping (UnsafeMutablePointer<UInt64>) throws -> Void) { self.body = body }
    }

    /// A host function as the instance calls it: on `AOTValue` arrays, checked against its
    /// signature, or on the raw values (``AOTFunction/host(_:raw:)``).
    enum HostImplementation {
        case values(([AOTValue]) throws -> [AOTValue], Signature)
        case raw((UnsafeMutablePointer<UInt64>) throws -> Void)
    }
}

/// The context's host-call function: finds the instance and runs its host function.
private let aotHostCall: RuneAOTHostFunction = { host, index, values in
    guard let host, let values else { return 1 }
    // The instance outlives every call into its code (the caller of `run` holds it), so it is
    // used without a retain and release per host call.
    return Unmanaged<AOTInstance>.fromOpaque(host)._withUnsafeGuaranteedRef { $0.callHost(Int(index), values) }
}
