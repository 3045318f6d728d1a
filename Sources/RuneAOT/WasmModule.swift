import WasmParser
import WasmTypes

/// Why a module cannot be translated: it is malformed, invalid, or uses a feature this engine
/// does not implement.
public struct AOTError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case malformed, invalid, unsupported, link, instantiation, llvm }
    public let kind: Kind
    public let message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

/// A WebAssembly module decoded with WasmParser: everything the translator and the loader need.
struct WasmModule {
    var types: [FunctionType] = []
    var imports: [Import] = []
    /// Type index of every function, imported ones first.
    var functionTypeIndices: [UInt32] = []
    var importedFunctionCount = 0
    var tables: [TableType] = []
    var memories: [MemoryType] = []
    var globals: [GlobalType] = []
    var importedGlobalCount = 0
    var globalInitializers: [ConstExpression] = []
    var exports: [Export] = []
    var start: UInt32?
    var elements: [ElementSegment] = []
    var codes: [Code] = []
    var data: [DataSegment] = []
    var dataCount: UInt32?
    var importedMemoryCount = 0
    var importedTableCount = 0

    var definedFunctionCount: Int { functionTypeIndices.count - importedFunctionCount }

    func functionType(_ function: UInt32) throws(AOTError) -> FunctionType {
        guard Int(function) < functionTypeIndices.count else { throw AOTError(.invalid, "unknown function \(function)") }
        return try type(functionTypeIndices[Int(function)])
    }

    func type(_ index: UInt32) throws(AOTError) -> FunctionType {
        guard Int(index) < types.count else { throw AOTError(.invalid, "unknown type \(index)") }
        return types[Int(index)]
    }

    init(bytes: [UInt8]) throws(AOTError) {
        // Reference types and exception handling decode, so that a module using them is refused as
        // unsupported rather than as malformed.
        var parser = Parser(bytes: bytes, features: [.referenceTypes, .exceptionHandling, .functionReferences])
        var functionSection: [UInt32] = []
        do {
            while let payload = try parser.parseNext() {
                switch payload {
                case .header, .customSection: break
                case .typeSection(let groups):
                    for group in groups {
                        for subType in group.types {
                            guard case .function(let type) = subType.body else {
                                throw AOTError(.unsupported, "GC types are not supported")
                            }
                            types.append(type)
                        }
                    }
                case .importSection(let entries):
                    imports = entries
                    for entry in entries {
                        switch entry.descriptor {
                        case .function(let typeIndex):
                            functionTypeIndices.append(typeIndex)
                            importedFunctionCount += 1
                        case .table(let type):
                            tables.append(type)
                            importedTableCount += 1
                        case .memory(let type):
                            memories.append(type)
                            importedMemoryCount += 1
                        case .global(let type):
                            globals.append(type)
                            importedGlobalCount += 1
                        case .tag:
                            throw AOTError(.unsupported, "exception handling is not supported")
                        }
                    }
                case .functionSection(let indices): functionSection = indices
                case .tableSection(let entries):
                    for table in entries {
                        guard table.initializer == nil else { throw AOTError(.unsupported, "table initializers are not supported") }
                        tables.append(table.type)
                    }
                case .memorySection(let entries): memories += entries.map(\.type)
                case .globalSection(let entries):
                    for global in entries {
                        globals.append(global.type)
                        globalInitializers.append(global.initializer)
                    }
                case .tagSection: throw AOTError(.unsupported, "exception handling is not supported")
                case .exportSection(let entries): exports = entries
                case .startSection(let index): start = index
                case .elementSection(let segments): elements = segments
                case .codeSection(let entries): codes = entries
                case .dataSection(let segments): data = segments
                case .dataCount(let count): dataCount = count
                }
            }
        } catch let error as AOTError {
            throw error
        } catch {
            throw AOTError(.malformed, "\(error)")
        }
        functionTypeIndices += functionSection
        guard functionSection.count == codes.count else {
            throw AOTError(.malformed, "function and code section have inconsistent lengths")
        }
        try validateModule()
    }

    /// The module-level rules (function bodies are checked as they are translated).
    private func validateModule() throws(AOTError) {
        for index in functionTypeIndices where Int(index) >= types.count {
            throw AOTError(.invalid, "unknown type \(index)")
        }
        guard memories.count <= 1 else { throw AOTError(.unsupported, "multiple memories are not supported") }
        for memory in memories {
            guard !memory.isMemory64, !memory.shared else { throw AOTError(.unsupported, "memory64 and shared memories are not supported") }
            guard memory.min <= 65536, (memory.max ?? 0) <= 65536 else {
                throw AOTError(.invalid, "memory size must be at most 65536 pages (4GiB)")
            }
            if let max = memory.max, max < memory.min {
                throw AOTError(.invalid, "size minimum must not be greater than maximum")
            }
        }
        guard tables.count <= 1 else { throw AOTError(.unsupported, "multiple tables (reference types) are not supported") }
        for table in tables {
            guard table.elementType == .funcRef else { throw AOTError(.unsupported, "tables of \(table.elementType) are not supported") }
            if let max = table.limits.max, max < table.limits.min {
                throw AOTError(.invalid, "size minimum must not be greater than maximum")
            }
        }
        for global in globals {
            switch global.valueType {
            case .i32, .i64, .f32, .f64: break
            default: throw AOTError(.unsupported, "globals of type \(global.valueType) are not supported")
            }
        }
        for type in types {
            for value in type.parameters + type.results {
                if case .ref = value { throw AOTError(.unsupported, "values of type ref are not supported") }
                switch value {
                case .i32, .i64, .f32, .f64: break
                default: throw AOTError(.unsupported, "values of type \(value) are not supported")
                }
            }
        }
        var names = Set<[UInt8]>()
        for export in exports {
            guard names.insert(Array(export.name.utf8)).inserted else { throw AOTError(.invalid, "duplicate export name \(export.name)") }
            switch export.descriptor {
            case .function(let index): guard Int(index) < functionTypeIndices.count else { throw AOTError(.invalid, "unknown function \(index)") }
            case .global(let index): guard Int(index) < globals.count else { throw AOTError(.invalid, "unknown global \(index)") }
            case .memory(let index): guard Int(index) < memories.count else { throw AOTError(.invalid, "unknown memory \(index)") }
            case .table(let index): guard Int(index) < tables.count else { throw AOTError(.invalid, "unknown table \(index)") }
            case .tag: throw AOTError(.unsupported, "exception handling is not supported")
            }
        }
        if let start {
            let type = try functionType(start)
            guard type.parameters.isEmpty, type.results.isEmpty else { throw AOTError(.invalid, "start function must have type [] -> []") }
        }
        for (index, initializer) in globalInitializers.enumerated() {
            let type = globals[importedGlobalCount + index].valueType
            guard try constantType(initializer, globalLimit: importedGlobalCount + index) == type else {
                throw AOTError(.invalid, "type mismatch in global initializer")
            }
        }
        for segment in elements {
            if case .active(let table, let offset) = segment.mode {
                guard Int(table) < tables.count else { throw AOTError(.invalid, "unknown table \(table)") }
                guard try constantType(offset, globalLimit: globals.count) == .i32 else { throw AOTError(.invalid, "type mismatch in element offset") }
            }
            guard segment.type.heapType == .funcRef else { throw AOTError(.unsupported, "element segments of \(segment.type) are not supported") }
            for item in segment.initializer {
                guard item.count == 1 else { throw AOTError(.unsupported, "element expressions other than ref.func/ref.null") }
                switch item[0] {
                case .refFunc(let index): guard Int(index) < functionTypeIndices.count else { throw AOTError(.invalid, "unknown function \(index)") }
                case .refNull: break
                default: throw AOTError(.invalid, "constant expression required")
                }
            }
        }
        for segment in data {
            if case .active(let active) = segment {
                guard Int(active.index) < memories.count else { throw AOTError(.invalid, "unknown memory \(active.index)") }
                guard try constantType(active.offset, globalLimit: globals.count) == .i32 else { throw AOTError(.invalid, "type mismatch in data offset") }
            }
        }
        if let dataCount, Int(dataCount) != data.count {
            throw AOTError(.malformed, "data count and data section have inconsistent lengths")
        }
    }

    /// The type of a constant expression; only immutable imported globals may be read.
    func constantType(_ expression: ConstExpression, globalLimit: Int) throws(AOTError) -> ValueType {
        var instructions = expression
        if case .end? = instructions.last { instructions.removeLast() }
        let extended = instructions.contains { instruction in
            if case .binary(let op) = instruction { return [.i32Add, .i32Sub, .i32Mul, .i64Add, .i64Sub, .i64Mul].contains(op) }
            return false
        }
        if extended { throw AOTError(.unsupported, "extended constant expressions are not supported") }
        guard instructions.count == 1 else { throw AOTError(.invalid, "constant expression required") }
        switch instructions[0] {
        case .i32Const: return .i32
        case .i64Const: return .i64
        case .f32Const: return .f32
        case .f64Const: return .f64
        case .globalGet(let index):
            guard Int(index) < globalLimit, Int(index) < globals.count else { throw AOTError(.invalid, "unknown global \(index)") }
            guard globals[Int(index)].mutability == .constant else { throw AOTError(.invalid, "constant expression required") }
            guard Int(index) < importedGlobalCount else {
                throw AOTError(.unsupported, "global.get of a module-defined global in a constant expression (GC proposal) is not supported")
            }
            return globals[Int(index)].valueType
        case .refFunc, .refNull: throw AOTError(.unsupported, "reference-typed constants are not supported")
        default: throw AOTError(.invalid, "constant expression required")
        }
    }
}
