import WasmTypes
import WasmParser
import WAT

/// One engine the spec scripts run on: how it loads, links and calls modules, and what it is
/// known to do differently. ``SpecRunner`` walks a script's directives once for every engine.
protocol SpecEngine {
    associatedtype Instance
    associatedtype Value

    /// Put before every failure of this engine (`[interpreter] `), so a report says which failed.
    var failurePrefix: String { get }
    /// Decodes, validates and links `bytes` against `spectest` and the registered modules, and
    /// runs its start function.
    func instantiate(_ bytes: [UInt8]) throws -> Instance
    /// Decodes and validates `bytes` (assert_invalid, assert_malformed).
    func validate(_ bytes: [UInt8]) throws
    /// Makes `instance`'s exports importable as module `name`.
    mutating func register(_ instance: Instance, as name: String)
    /// Why a module this engine refuses is skipped (a feature out of its scope), or nil when the
    /// refusal is a failure.
    func skipReason(_ error: Error) -> String?
    /// Why refusing an assert_invalid or assert_malformed module with `error` says nothing about
    /// validation (so it is skipped rather than passed), or nil.
    func rejectionSkipReason(_ error: Error) -> String?
    /// Where this engine is known to differ from the spec, by assertion, file and line: the reason,
    /// or nil.
    func knownDifference(_ assertion: SpecAssertion, file: String, line: Int) -> String?
    /// An argument as this engine's value, or nil when it is outside its scope.
    func value(_ value: WasmTypes.Value) -> Value?
    /// Why a call with arguments outside its scope is skipped.
    var unsupportedArguments: String { get }
    func invoke(_ instance: Instance, _ name: String, _ arguments: [Value]) throws -> [Value]
    func global(_ instance: Instance, _ name: String) throws -> Value
    /// The reason of a trap, or nil when `error` is no trap.
    func trapReason(_ error: Error) -> String?
    /// The value as WasmKit's, which the expectations are compared with.
    func specValue(_ value: Value) -> WasmTypes.Value
}

/// The assertions an engine may be known to get wrong.
enum SpecAssertion {
    /// assert_return: the engine returns other values.
    case result
    /// assert_invalid, assert_malformed: the engine accepts the module.
    case accepted
    /// assert_unlinkable: the engine links the module.
    case linked
}

/// Runs a spec script's directives on one engine and counts what passed, failed and was skipped
/// (with the reason).
struct SpecRunner<Engine: SpecEngine> {
    let file: String
    var engine: Engine
    var passed = 0
    var failures: [String] = []
    var skipped: [String] = []
    var current: Engine.Instance?
    /// Why the current module was skipped; assertions on it are skipped too.
    var currentSkip: String?
    var named: [String: Engine.Instance] = [:]
    /// Registered names whose module was skipped; modules importing from them are skipped too.
    var skippedRegistrations: [String: String] = [:]

    init(file: String, engine: Engine) {
        self.file = file
        self.engine = engine
    }

    mutating func fail(_ line: Int, _ message: String) { failures.append("\(file):\(line): \(engine.failurePrefix)\(message)") }

    /// The spec's words for how many passed, failed and were skipped, and why.
    var summary: String {
        "\(passed) passed, \(failures.count) failed, \(skipped.count) skipped"
            + (skipped.isEmpty ? "" : " (" + Dictionary(grouping: skipped, by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: "; ") + ")")
    }

    static func binary(_ source: ModuleSource) throws -> [UInt8] {
        switch source {
        case .text(let wat): return try wat.encode()
        case .binary(let bytes): return bytes
        case .quote(let bytes): return try parseWAT(String(decoding: bytes, as: UTF8.self)).encode()
        }
    }

    func skipReason(_ error: Error) -> String? {
        let text = "\(error)"
        if let module = skippedRegistrations.first(where: { text.contains("unknown import \($0.key).") }) { return module.value }
        return engine.skipReason(error)
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

    func instance(_ name: String?) -> Engine.Instance? { name.map { named[$0] } ?? current }

    mutating func run(_ directive: WASTDirective, line: Int) {
        switch directive {
        case .module(let module):
            current = nil
            currentSkip = nil
            do {
                let instance = try engine.instantiate(try Self.binary(module.source))
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
                engine.register(instance, as: name)
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
                if values.count == expected.count, zip(values, expected).allSatisfy({ Self.matches(engine.specValue($0), $1) }) {
                    passed += 1
                } else if let reason = engine.knownDifference(.result, file: file, line: line) {
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
                try engine.validate(try Self.binary(module.source))
                expectRefusal(.accepted, "module accepted, expected \"\(message)\"", line: line)
            } catch {
                if let reason = skipReason(error) ?? engine.rejectionSkipReason(error) { skipped.append(reason) } else { passed += 1 }
            }
        case .assertUnlinkable(let wat, let message):
            do {
                _ = try engine.instantiate(try Self.binary(.text(wat)))
                expectRefusal(.linked, "module linked, expected \"\(message)\"", line: line)
            } catch {
                if let reason = skipReason(error) { skipped.append(reason) } else { passed += 1 }
            }
        case .moduleInstance, .assertException, .assertFuel, .assertOutOfFuel:
            skipped.append("not an MVP directive")
        }
    }

    /// A module the spec refuses was accepted: a failure, unless the engine is known to accept it.
    mutating func expectRefusal(_ assertion: SpecAssertion, _ failure: String, line: Int) {
        if let reason = engine.knownDifference(assertion, file: file, line: line) {
            skipped.append(reason)
        } else {
            fail(line, failure)
        }
    }

    mutating func expectTrap(_ outcome: Result<[Engine.Value], Error>, _ message: String, line: Int) {
        switch outcome {
        case .success(let values): fail(line, "expected trap \"\(message)\", got \(values)")
        case .failure(let error):
            // Trap reasons contain the spec's words ("integer divide by zero", "undefined element",
            // "call stack exhausted").
            if let reason = engine.trapReason(error), reason.contains(message) {
                passed += 1
            } else {
                fail(line, "expected trap \"\(message)\", got \(error)")
            }
        }
    }

    /// Runs an action; nil when it is skipped.
    mutating func execute(_ execute: WASTExecute, line: Int) -> Result<[Engine.Value], Error>? {
        switch execute {
        case .invoke(let invoke):
            guard let instance = instance(invoke.module) else {
                if let currentSkip { skipped.append(currentSkip) } else { fail(line, "no module for invoke") }
                return nil
            }
            let arguments = invoke.args.map { Self.value($0).flatMap(engine.value) }
            guard !arguments.contains(where: { $0 == nil }) else {
                skipped.append(engine.unsupportedArguments)
                return nil
            }
            return Result { try engine.invoke(instance, invoke.name, arguments.compactMap { $0 }) }
        case .get(let module, let name):
            guard let instance = instance(module) else {
                if let currentSkip { skipped.append(currentSkip) } else { fail(line, "no module for get") }
                return nil
            }
            return Result { [try engine.global(instance, name)] }
        case .wat(let wat):
            do {
                current = try engine.instantiate(try Self.binary(.text(wat)))
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

    /// A script's argument as WasmKit's value, or nil for those no engine here takes (v128, host
    /// and typed references).
    static func value(_ constant: WASTConstValue) -> WasmTypes.Value? {
        switch constant {
        case .i32(let value): .i32(value)
        case .i64(let value): .i64(value)
        case .f32(let value): .f32(value)
        case .f64(let value): .f64(value)
        case .refExtern(let value): .ref(.extern(Int(value)))
        case .refNull(.abstract(.externRef)): .ref(.extern(nil))
        case .refNull(.abstract(.funcRef)): .ref(.function(nil))
        default: nil
        }
    }

    static func matches(_ value: WasmTypes.Value, _ expected: WASTExpectValue) -> Bool {
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
