import Foundation
import RuneAOT
import Testing
import WasmParser
import WasmTypes
import WAT

/// Runs the WebAssembly spec scripts in Fixtures/wasm-spec through the AOT engine, then
/// through WasmKit's interpreter as a cross-check (InterpreterSpecEngine, with its own skips):
/// one directive loop (SpecRunner) for both.
///
/// Every assertion must pass, except those the skip rules below name, each with its reason.
/// Validation (`assert_invalid`, `assert_malformed`) is the AOT loader's: WasmParser decodes,
/// and the translator type-checks every function body as it emits it.
@Suite struct SpecTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wasm-spec")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".wast") }.sorted()
    }

    @Test(arguments: SpecTests.files)
    func script(_ file: String) throws {
        let text = try String(contentsOf: SpecTests.directory.appendingPathComponent(file), encoding: .utf8)
        Self.check(SpecRunner(file: file, engine: AOTSpecEngine()), text, engine: "")
        // The same script through WasmKit's interpreter, the other engine `rune run` offers.
        Self.check(SpecRunner(file: file, engine: InterpreterSpecEngine()), text, engine: " (interpreter)")
    }

    @Test(arguments: AOTSpecEngine.memoryFiles)
    func explicitChecks(_ file: String) throws {
        let text = try String(contentsOf: SpecTests.directory.appendingPathComponent(file), encoding: .utf8)
        Self.check(SpecRunner(file: file, engine: AOTSpecEngine(isolation: .explicitChecks)), text, engine: " (explicit checks)")
    }

    /// Runs the script on `runner`'s engine, prints what passed, failed and was skipped, and
    /// expects no failures and at least one pass.
    static func check<Engine: SpecEngine>(_ runner: SpecRunner<Engine>, _ text: String, engine: String,
                                          sourceLocation: SourceLocation = #_sourceLocation) {
        var runner = runner
        let time = ContinuousClock().measure { runner.run(text) }
        print("[spec] \(runner.file)\(engine): \(time) \(runner.summary)")
        for failure in runner.failures.prefix(30) { print("  FAIL \(failure)") }
        #expect(runner.failures.isEmpty, "\(runner.file)\(engine): \(runner.failures.count) unexpected failures, first: \(runner.failures.first ?? "")",
                sourceLocation: sourceLocation)
        #expect(runner.passed > 0, sourceLocation: sourceLocation)
    }
}

/// Features outside this engine's scope (milestone 1: MVP, sign extension, saturating
/// conversions, memory.copy/fill, mutable globals, multi-value). A module the translator refuses
/// with one of these messages, and every assertion on it, is skipped with that reason.
let skipRules: [(message: String, reason: String)] = [
    ("multiple tables", "reference types: more than one table"),
    ("tables of", "reference types: externref tables"),
    ("element segments of", "reference types: externref element segments"),
    ("element expressions", "reference types: element expressions"),
    ("reference-typed constants", "reference types: ref.func/ref.null in globals"),
    ("table initializers", "function references: table initializers"),
    ("values of type ref", "reference types: funcref/externref values"),
    ("globals of type ref", "reference types: funcref/externref globals"),
    ("instruction table", "reference types: table.get/set/size/grow/fill/copy/init"),
    ("instruction elemDrop", "reference types: elem.drop"),
    ("instruction refNull", "reference types: ref.null"),
    ("instruction refFunc", "reference types: ref.func"),
    ("instruction refIsNull", "reference types: ref.is_null"),
    ("instruction memoryInit", "bulk memory: memory.init (passive data) is not in milestone 1"),
    ("instruction dataDrop", "bulk memory: data.drop is not in milestone 1"),
    ("multiple memories", "multi-memory"),
    ("globals of type externref", "reference types: externref globals"),
    ("globals of type funcref", "reference types: funcref globals"),
    ("globals of type (ref", "function references: typed reference globals"),
    ("exception handling", "exception handling: tags"),
    ("extended constant expressions", "extended-const: arithmetic in constant expressions"),
    ("module-defined global in a constant", "GC proposal: global.get of a defined global in a constant expression"),
    ("exceeds the engine's limit", "implementation limit: tables above 10M entries"),
    ("GC types", "GC: struct and array types"),
]

/// The AOT engine as a spec engine. Validation (`assert_invalid`, `assert_malformed`) is its
/// loader's: WasmParser decodes, and the translator type-checks every function body as it emits it.
struct AOTSpecEngine: SpecEngine {
    typealias Instance = AOTInstance
    typealias Value = AOTValue

    /// How modules are isolated: the host's choice (guard pages on 64-bit hosts), or explicit
    /// checks, which 32-bit targets use and which the memory scripts also run with.
    var isolation: MemoryIsolation = .host
    let store = AOTStore()
    var registered: [String: AOTInstance] = [:]
    let spectest = SpectestModule()

    /// The scripts that load, store, grow and trap on memory, run again with explicit bounds
    /// checks, so both isolation strategies meet the spec wherever it speaks of memory.
    static let memoryFiles = ["address.wast", "align.wast", "bulk.wast", "endianness.wast", "float_memory.wast",
                              "load.wast", "memory.wast", "memory_copy.wast", "memory_fill.wast", "memory_size.wast",
                              "memory_trap.wast", "store.wast", "traps.wast"]

    var failurePrefix: String { "" }

    func instantiate(_ bytes: [UInt8]) throws -> AOTInstance {
        let module = try AOTModule(bytes: bytes, isolation: isolation)
        return try AOTInstance(module: module, store: store) { module, name in
            module == "spectest" ? spectest.export(name) : registered[module]?.export(name)
        }
    }

    func validate(_ bytes: [UInt8]) throws { _ = try AOTModule(bytes: bytes) }

    mutating func register(_ instance: AOTInstance, as name: String) { registered[name] = instance }

    func skipReason(_ error: Error) -> String? {
        guard let error = error as? AOTError, error.kind == .unsupported else { return nil }
        return skipRules.first { error.message.contains($0.message) }?.reason
    }

    func rejectionSkipReason(_ error: Error) -> String? { nil }

    /// Every assertion on a module it translates must pass.
    func knownDifference(_ assertion: SpecAssertion, file: String, line: Int) -> String? { nil }

    func value(_ value: WasmTypes.Value) -> AOTValue? {
        switch value {
        case .i32(let bits): .i32(bits)
        case .i64(let bits): .i64(bits)
        case .f32(let bits): .f32(bits)
        case .f64(let bits): .f64(bits)
        default: nil
        }
    }

    var unsupportedArguments: String { "reference types: reference-typed arguments" }

    func invoke(_ instance: AOTInstance, _ name: String, _ arguments: [AOTValue]) throws -> [AOTValue] {
        try instance.invoke(name, arguments)
    }

    func global(_ instance: AOTInstance, _ name: String) throws -> AOTValue {
        guard case .global(let global)? = instance.export(name) else { throw AOTError(.link, "no global \(name)") }
        return global.value
    }

    func trapReason(_ error: Error) -> String? { (error as? AOTTrap)?.reason }

    func specValue(_ value: AOTValue) -> WasmTypes.Value {
        switch value {
        case .i32(let bits): .i32(bits)
        case .i64(let bits): .i64(bits)
        case .f32(let bits): .f32(bits)
        case .f64(let bits): .f64(bits)
        }
    }
}

/// The `spectest` module the spec harness provides.
final class SpectestModule {
    let table: AOTTable
    let memory: AOTMemory
    let globals: [String: AOTGlobal]

    init() {
        table = try! AOTTable(size: 10, maximum: 20)
        memory = try! AOTMemory(pages: 1, maximumPages: 2)
        globals = [
            "global_i32": AOTGlobal(type: GlobalType(mutability: .constant, valueType: .i32), value: .i32(666)),
            "global_i64": AOTGlobal(type: GlobalType(mutability: .constant, valueType: .i64), value: .i64(666)),
            "global_f32": AOTGlobal(type: GlobalType(mutability: .constant, valueType: .f32), value: .f32(Float(666.6).bitPattern)),
            "global_f64": AOTGlobal(type: GlobalType(mutability: .constant, valueType: .f64), value: .f64(Double(666.6).bitPattern)),
        ]
    }

    func export(_ name: String) -> AOTExternal? {
        let prints: [String: [ValueType]] = [
            "print": [], "print_i32": [.i32], "print_i64": [.i64], "print_f32": [.f32], "print_f64": [.f64],
            "print_i32_f32": [.i32, .f32], "print_f64_f64": [.f64, .f64],
        ]
        if let parameters = prints[name] {
            return .function(.host(FunctionType(parameters: parameters), { _ in [] }))
        }
        if let global = globals[name] { return .global(global) }
        if name == "table" { return .table(table) }
        if name == "memory" { return .memory(memory) }
        return nil
    }
}
