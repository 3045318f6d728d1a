import WasmKit
import WasmParser
import WasmTypes
import WAT

/// Runs a spec script's assertions through WasmKit's interpreter, the engine the AOT engine
/// replaces and is compared with elsewhere (EngineDifferentialTests): both must meet the spec on
/// the same assertions, so a disagreement between them is a bug in one of the two.
///
/// Its skip list is its own (`interpreterSkipRules`): what WasmKit does not implement or
/// accepts by design. Modules the AOT engine skips are still run here: the interpreter covers
/// more of the spec.
struct InterpreterSpecRunner {
    let file: String
    var passed = 0
    var failures: [String] = []
    var skipped: [String] = []
    /// Eager compilation: WasmKit validates a function body when it compiles it, so a lazy
    /// engine would accept an invalid module until the bad function is called.
    let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager)))
    var current: Instance?
    var currentSkip: String?
    var named: [String: Instance] = [:]
    var imports = Imports()
    /// Registered names whose module was skipped; modules importing from them are skipped too.
    var skippedRegistrations: [String: String] = [:]
    let spectest: Exports

    init(file: String) {
        self.file = file
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
        spectest = try! spectestModule.instantiate(store: store).exports
        imports.define(module: "spectest", spectest)
    }

    mutating func fail(_ line: Int, _ message: String) { failures.append("\(file):\(line): [interpreter] \(message)") }

    /// A module, or a rule saying why it is skipped.
    func instantiate(_ source: ModuleSource) throws -> Instance {
        let module = try parseWasm(bytes: try SpecRunner.binary(source), features: interpreterFeatures)
        return try module.instantiate(store: store, imports: imports)
    }

    func skipReason(_ error: Error) -> String? {
        let text = "\(error)"
        if let module = skippedRegistrations.first(where: { text.contains("unknown import \($0.key).") }) { return module.value }
        return interpreterSkipRules.first { text.contains($0.message) }?.reason
    }

    mutating func run(_ text: String) {
        var wast: WAST
        do { wast = try parseWAST(text) } catch { fail(0, "cannot parse: \(error)"); return }
        while let (result, location) = wast.nextDirectiveResult() {
            let line = location.computeLineAndColumn().line
            if case .success(let directive) = result { run(directive, line: line) }
            // Directives that do not parse already fail in SpecRunner.
        }
    }

    func instance(_ name: String?) -> Instance? { name.map { named[$0] } ?? current }

    mutating func run(_ directive: WASTDirective, line: Int) {
        switch directive {
        case .module(let module):
            current = nil
            currentSkip = nil
            do {
                let instance = try instantiate(module.source)
                current = instance
                if let id = module.id { named[id] = instance }
                passed += 1
            } catch {
                if let reason = skipReason(error) {
                    currentSkip = reason
                    skipped.append(reason)
                } else {
                    currentSkip = "module failed"
                    fail(line, "module: \(error)")
                }
            }
        case .register(let name, let id):
            if let instance = instance(id) {
                imports.define(module: name, instance.exports)
            } else if let currentSkip {
                skippedRegistrations[name] = currentSkip
            } else {
                fail(line, "register: no module")
            }
        case .invoke(let invoke):
            _ = execute(.invoke(invoke), line: line)
        case .assertReturn(let execute, let expected):
            guard let outcome = self.execute(execute, line: line) else { return }
            switch outcome {
            case .success(let values):
                if values.count == expected.count, zip(values, expected).allSatisfy({ Self.matches($0, $1) }) {
                    passed += 1
                } else if let reason = interpreterResultSkips.first(where: { file == $0.file && line == $0.line })?.reason {
                    skipped.append(reason)
                } else {
                    fail(line, "expected \(expected), got \(values)")
                }
            case .failure(let error): fail(line, "expected values, got \(error)")
            }
        case .assertTrap(let execute, let message):
            guard let outcome = self.execute(execute, line: line) else { return }
            expectTrap(outcome, message, line: line)
        case .assertExhaustion(let call, let message):
            guard let outcome = self.execute(.invoke(call), line: line) else { return }
            expectTrap(outcome, message, line: line)
        case .assertInvalid(let module, let message), .assertMalformed(let module, let message):
            do {
                // Instantiation compiles (and so validates) every function.
                _ = try instantiate(module.source)
                if let reason = interpreterAcceptSkips.first(where: { file == $0.file && line == $0.line })?.reason {
                    skipped.append(reason)
                } else {
                    fail(line, "module accepted, expected \"\(message)\"")
                }
            } catch {
                // WasmKit resolves imports before it validates, so an invalid module importing
                // a name no module registered is refused for that first: not a validation result.
                if "\(error)".contains("unknown import") {
                    skipped.append("WasmKit: links before validating (invalid module with an unresolvable import)")
                } else {
                    passed += 1
                }
            }
        case .assertUnlinkable(let wat, let message):
            do {
                _ = try instantiate(.text(wat))
                if let reason = interpreterLinkSkips.first(where: { file == $0.file && line == $0.line })?.reason {
                    skipped.append(reason)
                } else {
                    fail(line, "module linked, expected \"\(message)\"")
                }
            } catch {
                passed += 1
            }
        case .moduleInstance, .assertException, .assertFuel, .assertOutOfFuel:
            skipped.append("not an MVP directive")
        }
    }

    mutating func expectTrap(_ outcome: Result<[Value], Error>, _ message: String, line: Int) {
        switch outcome {
        case .success(let values): fail(line, "expected trap \"\(message)\", got \(values)")
        case .failure(let error):
            // WasmKit's trap descriptions contain the spec's words ("integer divide by zero",
            // "undefined element", "call stack exhausted").
            if let trap = error as? Trap, trap.description.contains(message) {
                passed += 1
            } else {
                fail(line, "expected trap \"\(message)\", got \(error)")
            }
        }
    }

    /// Runs an action; nil when it is skipped.
    mutating func execute(_ execute: WASTExecute, line: Int) -> Result<[Value], Error>? {
        switch execute {
        case .invoke(let invoke):
            guard let instance = instance(invoke.module) else {
                if let currentSkip { skipped.append(currentSkip) } else { fail(line, "no module for invoke") }
                return nil
            }
            var arguments: [Value] = []
            for argument in invoke.args {
                switch argument {
                case .i32(let value): arguments.append(.i32(value))
                case .i64(let value): arguments.append(.i64(value))
                case .f32(let value): arguments.append(.f32(value))
                case .f64(let value): arguments.append(.f64(value))
                case .refExtern(let value): arguments.append(.ref(.extern(Int(value))))
                case .refNull(.abstract(.externRef)): arguments.append(.ref(.extern(nil)))
                case .refNull(.abstract(.funcRef)): arguments.append(.ref(.function(nil)))
                default:
                    skipped.append("v128, host and typed reference arguments are not in these scripts' scope")
                    return nil
                }
            }
            guard let function = instance.exports[function: invoke.name] else {
                return .failure(SpecHarnessError("no function \(invoke.name)"))
            }
            return Result { try function.invoke(arguments) }
        case .get(let module, let name):
            guard let instance = instance(module) else {
                if let currentSkip { skipped.append(currentSkip) } else { fail(line, "no module for get") }
                return nil
            }
            guard let global = instance.exports[global: name] else { return .failure(SpecHarnessError("no global \(name)")) }
            return .success([global.value])
        case .wat(let wat):
            do {
                current = try instantiate(.text(wat))
                return .success([])
            } catch {
                if let reason = skipReason(error) {
                    skipped.append(reason)
                    return nil
                }
                return .failure(error)
            }
        }
    }

    static func matches(_ value: Value, _ expected: WASTExpectValue) -> Bool {
        switch (value, expected) {
        case (.i32(let a), .i32(let b)): return a == b
        case (.i64(let a), .i64(let b)): return a == b
        case (.f32(let a), .f32(let b)): return a == b
        case (.f64(let a), .f64(let b)): return a == b
        case (.f32(let a), .f32CanonicalNaN): return a & 0x7fff_ffff == 0x7fc0_0000
        case (.f32(let a), .f32ArithmeticNaN): return a & 0x7fc0_0000 == 0x7fc0_0000
        case (.f64(let a), .f64CanonicalNaN): return a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
        case (.f64(let a), .f64ArithmeticNaN): return a & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000
        case (.ref(.extern(nil)), .refNull), (.ref(.function(nil)), .refNull): return true
        case (.ref(.extern(let address?)), .refExtern(let expected?)): return address == Int(expected)
        case (.ref(.extern(_?)), .refExtern(nil)): return true
        case (.ref(.function(_?)), .refFunc(nil)): return true
        case (_, .either(let options)): return options.contains { matches(value, $0) }
        default: return false
        }
    }
}

struct SpecHarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
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
