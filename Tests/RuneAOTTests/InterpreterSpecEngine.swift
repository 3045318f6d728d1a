import WasmKit
import WasmParser
import WasmTypes
import WAT

/// WasmKit's interpreter as a spec engine: the engine the AOT engine replaces and is compared
/// with elsewhere (EngineDifferentialTests). Both must meet the spec on the same assertions, so
/// a disagreement between them is a bug in one of the two.
///
/// Its skip list is its own (`interpreterSkipRules`): what WasmKit does not implement or
/// accepts by design. Modules the AOT engine skips are still run here: the interpreter covers
/// more of the spec.
struct InterpreterSpecEngine: SpecEngine {
    typealias Instance = WasmKit.Instance
    typealias Value = WasmTypes.Value

    /// Eager compilation: WasmKit validates a function body when it compiles it, so a lazy
    /// engine would accept an invalid module until the bad function is called.
    let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager)))
    var imports = Imports()

    init() {
        // The spec harness's `spectest` module, built as a wasm module so its memory, table
        // and globals are ordinary instances.
        let spectestModule = try! parseWasm(bytes: try! wat2wasm("""
            (module
              (global (export "global_i32") i32 (i32.const 666))
              (global (export "global_i64") i64 (i64.const 666))
              (global (export "global_f32") f32 (f32.const 666.6))
              (global (export "global_f64") f64 (f64.const 666.6))
              (table (export "table") 10 20 funcref)
              (memory (export "memory") 1 2)
              (func (export "print"))
              (func (export "print_i32") (param i32))
              (func (export "print_i64") (param i64))
              (func (export "print_f32") (param f32))
              (func (export "print_f64") (param f64))
              (func (export "print_i32_f32") (param i32 f32))
              (func (export "print_f64_f64") (param f64 f64)))
            """))
        imports.define(module: "spectest", try! spectestModule.instantiate(store: store).exports)
    }

    var failurePrefix: String { "[interpreter] " }

    func instantiate(_ bytes: [UInt8]) throws -> Instance {
        try parseWasm(bytes: bytes, features: interpreterFeatures).instantiate(store: store, imports: imports)
    }

    /// Instantiation compiles (and so validates) every function.
    func validate(_ bytes: [UInt8]) throws { _ = try instantiate(bytes) }

    mutating func register(_ instance: Instance, as name: String) { imports.define(module: name, instance.exports) }

    func skipReason(_ error: Error) -> String? {
        let text = "\(error)"
        return interpreterSkipRules.first { text.contains($0.message) }?.reason
    }

    /// WasmKit resolves imports before it validates, so an invalid module importing a name no
    /// module registered is refused for that first: not a validation result.
    func rejectionSkipReason(_ error: Error) -> String? {
        "\(error)".contains("unknown import") ? "WasmKit: links before validating (invalid module with an unresolvable import)" : nil
    }

    func knownDifference(_ assertion: SpecAssertion, file: String, line: Int) -> String? {
        let list = switch assertion {
        case .result: interpreterResultSkips
        case .accepted: interpreterAcceptSkips
        case .linked: interpreterLinkSkips
        }
        return list.first { file == $0.file && line == $0.line }?.reason
    }

    func value(_ value: Value) -> Value? { value }

    var unsupportedArguments: String { "v128, host and typed reference arguments are not in these scripts' scope" }

    func invoke(_ instance: Instance, _ name: String, _ arguments: [Value]) throws -> [Value] {
        guard let function = instance.exports[function: name] else { throw SpecHarnessError("no function \(name)") }
        return try function.invoke(arguments)
    }

    func global(_ instance: Instance, _ name: String) throws -> Value {
        guard let global = instance.exports[global: name] else { throw SpecHarnessError("no global \(name)") }
        return global.value
    }

    /// WasmKit's trap descriptions contain the spec's words.
    func trapReason(_ error: Error) -> String? { (error as? Trap)?.description }

    func specValue(_ value: Value) -> Value { value }
}

/// The proposals the interpreter is asked to run: those the spec scripts here exercise.
let interpreterFeatures: WasmFeatureSet = .all

/// Modules WasmKit refuses although the spec accepts them, by its error message: skipped with
/// the reason, as is every assertion on them.
let interpreterSkipRules: [(message: String, reason: String)] = [
    // names.wast exports "\u{C5}" and "A\u{30A}", distinct byte strings; WasmKit keys exports
    // by Swift String, whose equality is Unicode canonical equivalence.
    ("duplicate export name: \u{C5}", "WasmKit: export names compared as Swift Strings (canonical equivalence)"),
    ("initial table size exceeds the resource limit", "WasmKit: implementation limit on table size"),
]

/// assert_invalid/assert_malformed modules WasmKit accepts, by file and line.
let interpreterAcceptSkips: [(file: String, line: Int, reason: String)] = [
    ("elem.wast", 516, "WasmKit: accepts a nullable funcref segment into a (ref func) table (function references)"),
]

/// assert_return results where WasmKit differs from the spec, by file and line.
let interpreterResultSkips: [(file: String, line: Int, reason: String)] = []

/// assert_unlinkable modules WasmKit links, by file and line.
let interpreterLinkSkips: [(file: String, line: Int, reason: String)] =
    [449, 453, 457, 461, 465, 469].map { ("imports.wast", $0, "WasmKit: does not check an imported table's limits against the import's") }
