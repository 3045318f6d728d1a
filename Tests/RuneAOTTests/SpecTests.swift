import Foundation
import RuneAOT
import Testing
import WasmParser
import WasmTypes
import WAT

/// Runs the WebAssembly spec scripts in Fixtures/wasm-spec through the AOT engine, then
/// through WasmKit's interpreter as a cross-check (InterpreterSpecRunner, with its own skips).
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
        var runner = SpecRunner(file: file)
        let clock = ContinuousClock()
        let aotTime = clock.measure { runner.run(text) }
        print("[spec] \(file): \(aotTime) \(runner.passed) passed, \(runner.failures.count) failed, \(runner.skipped.count) skipped"
              + (runner.skipped.isEmpty ? "" : " (" + Dictionary(grouping: runner.skipped, by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: "; ") + ")"))
        for failure in runner.failures.prefix(30) { print("  FAIL \(failure)") }
        #expect(runner.failures.isEmpty, "\(file): \(runner.failures.count) unexpected failures, first: \(runner.failures.first ?? "")")
        #expect(runner.passed > 0)

        // The same script through WasmKit's interpreter, the other engine `rune run` offers.
        var interpreter = InterpreterSpecRunner(file: file)
        let interpreterTime = clock.measure { interpreter.run(text) }
        print("[spec] \(file) (interpreter): \(interpreterTime) \(interpreter.passed) passed, \(interpreter.failures.count) failed, \(interpreter.skipped.count) skipped"
              + (interpreter.skipped.isEmpty ? "" : " (" + Dictionary(grouping: interpreter.skipped, by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: "; ") + ")"))
        for failure in interpreter.failures.prefix(30) { print("  FAIL \(failure)") }
        #expect(interpreter.failures.isEmpty, "\(file): \(interpreter.failures.count) unexpected interpreter failures, first: \(interpreter.failures.first ?? "")")
        #expect(interpreter.passed > 0)
    }

    @Test(arguments: SpecRunner.memoryFiles)
    func explicitChecks(_ file: String) throws {
        let text = try String(contentsOf: SpecTests.directory.appendingPathComponent(file), encoding: .utf8)
        var runner = SpecRunner(file: file)
        runner.isolation = .explicitChecks
        runner.run(text)
        print("[spec] \(file) (explicit checks): \(runner.passed) passed, \(runner.failures.count) failed, \(runner.skipped.count) skipped")
        #expect(runner.failures.isEmpty, "\(file): \(runner.failures.count) unexpected failures, first: \(runner.failures.first ?? "")")
        #expect(runner.passed > 0)
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

struct SpecRunner {
    let file: String
    /// How modules are isolated: the host's choice (guard pages on 64-bit hosts), or explicit
    /// checks, which 32-bit targets use and which the memory scripts also run with.
    var isolation: MemoryIsolation = .host
    var passed = 0
    var failures: [String] = []
    var skipped: [String] = []
    let store = AOTStore()
    var current: AOTInstance?
    /// Why the current module was skipped; assertions on it are skipped too.
    var currentSkip: String?
    var named: [String: AOTInstance] = [:]
    var registered: [String: AOTInstance] = [:]
    /// Registered names whose module was skipped; modules importing from them are skipped too.
    var skippedRegistrations: [String: String] = [:]
    let spectest: SpectestModule

    init(file: String) {
        self.file = file
        spectest = SpectestModule()
    }

    /// The scripts that load, store, grow and trap on memory, run again with explicit bounds
    /// checks, so both isolation strategies meet the spec wherever it speaks of memory.
    static let memoryFiles = ["address.wast", "align.wast", "bulk.wast", "endianness.wast", "float_memory.wast",
                              "load.wast", "memory.wast", "memory_copy.wast", "memory_fill.wast", "memory_size.wast",
                              "memory_trap.wast", "store.wast", "traps.wast"]

    mutating func fail(_ line: Int, _ message: String) { failures.append("\(file):\(line): \(message)") }

    func skipReason(_ error: Error) -> String? {
        if let error = error as? AOTError, error.kind == .link,
           let module = skippedRegistrations.first(where: { error.message.hasPrefix("unknown import \($0.key).") }) {
            return module.value
        }
        guard let error = error as? AOTError, error.kind == .unsupported else { return nil }
        return skipRules.first { error.message.contains($0.message) }?.reason
    }

    func resolve(_ module: String, _ name: String) -> AOTExternal? {
        if module == "spectest" { return spectest.export(name) }
        return registered[module]?.export(name)
    }

    static func binary(_ source: ModuleSource) throws -> [UInt8] {
        switch source {
        case .text(let wat): return try wat.encode()
        case .binary(let bytes): return bytes
        case .quote(let bytes): return try parseWAT(String(decoding: bytes, as: UTF8.self)).encode()
        }
    }

    func instantiate(_ bytes: [UInt8]) throws -> AOTInstance {
        let module = try AOTModule(bytes: bytes, isolation: isolation)
        return try AOTInstance(module: module, store: store, imports: resolve)
    }

    mutating func run(_ text: String) {
        var wast: WAST
        do { wast = try parseWAST(text) } catch { fail(0, "cannot parse: \(error)"); return }
        while let (result, location) = wast.nextDirectiveResult() {
            let line = location.computeLineAndColumn().line
            switch result {
            case .failure(let error):
                fail(line, "directive does not parse: \(error.error)")
            case .success(let directive):
                run(directive, line: line)
            }
        }
    }

    func instance(_ name: String?) -> AOTInstance? { name.map { named[$0] } ?? current }

    mutating func run(_ directive: WASTDirective, line: Int) {
        switch directive {
        case .module(let module):
            current = nil
            currentSkip = nil
            do {
                let instance = try instantiate(try Self.binary(module.source))
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
                registered[name] = instance
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
                let bytes = try Self.binary(module.source)
                _ = try AOTModule(bytes: bytes)
                fail(line, "module accepted, expected \"\(message)\"")
            } catch {
                if let reason = skipReason(error) { skipped.append(reason) } else { passed += 1 }
            }
        case .assertUnlinkable(let wat, let message):
            do {
                _ = try instantiate(try Self.binary(.text(wat)))
                fail(line, "module linked, expected \"\(message)\"")
            } catch {
                if let reason = skipReason(error) { skipped.append(reason) } else { passed += 1 }
            }
        case .moduleInstance, .assertException, .assertFuel, .assertOutOfFuel:
            skipped.append("not an MVP directive")
        }
    }

    mutating func expectTrap(_ outcome: Result<[AOTValue], Error>, _ message: String, line: Int) {
        switch outcome {
        case .success(let values): fail(line, "expected trap \"\(message)\", got \(values)")
        case .failure(let error):
            if let trap = error as? AOTTrap, trap.reason.contains(message) {
                passed += 1
            } else {
                fail(line, "expected trap \"\(message)\", got \(error)")
            }
        }
    }

    /// Runs an action; nil when it is skipped.
    mutating func execute(_ execute: WASTExecute, line: Int) -> Result<[AOTValue], Error>? {
        switch execute {
        case .invoke(let invoke):
            guard let instance = instance(invoke.module) else {
                if let currentSkip { skipped.append(currentSkip) } else { fail(line, "no module for invoke") }
                return nil
            }
            var arguments: [AOTValue] = []
            for argument in invoke.args {
                switch argument {
                case .i32(let value): arguments.append(.i32(value))
                case .i64(let value): arguments.append(.i64(value))
                case .f32(let value): arguments.append(.f32(value))
                case .f64(let value): arguments.append(.f64(value))
                default:
                    skipped.append("reference types: reference-typed arguments")
                    return nil
                }
            }
            return Result { try instance.invoke(invoke.name, arguments) }
        case .get(let module, let name):
            guard let instance = instance(module) else {
                if let currentSkip { skipped.append(currentSkip) } else { fail(line, "no module for get") }
                return nil
            }
            guard case .global(let global)? = instance.export(name) else { return .failure(AOTError(.link, "no global \(name)")) }
            return .success([global.value])
        case .wat(let wat):
            do {
                current = try instantiate(try Self.binary(.text(wat)))
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

    static func matches(_ value: AOTValue, _ expected: WASTExpectValue) -> Bool {
        switch (value, expected) {
        case (.i32(let a), .i32(let b)): return a == b
        case (.i64(let a), .i64(let b)): return a == b
        case (.f32(let a), .f32(let b)): return a == b
        case (.f64(let a), .f64(let b)): return a == b
        case (.f32(let a), .f32CanonicalNaN): return a & 0x7fff_ffff == 0x7fc0_0000
        case (.f32(let a), .f32ArithmeticNaN): return a & 0x7fc0_0000 == 0x7fc0_0000
        case (.f64(let a), .f64CanonicalNaN): return a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
        case (.f64(let a), .f64ArithmeticNaN): return a & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000
        case (_, .either(let options)): return options.contains { matches(value, $0) }
        default: return false
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
