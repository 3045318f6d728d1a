import RuneAOT
import Testing
import WasmTypes
import WAT

/// `AOTEntryPoint` and raw host functions: the allocation-free call path a host uses on every
/// call of a pipeline gives the same values, traps and errors as `invoke`.
@Suite struct EntryPointTests {
    struct Refused: Error {}

    static func instantiate(_ text: String, imports: [String: AOTFunction] = [:]) throws -> AOTInstance {
        try AOTInstance(module: try AOTModule(bytes: try wat2wasm(text)), store: AOTStore()) { module, name in
            module == "host" ? imports[name].map { .function($0) } : nil
        }
    }

    @Test func anEntryPointCallsWithItsValuesBuffer() throws {
        let instance = try Self.instantiate("""
            (module (func (export "add") (param i32 i64) (result i64)
              (i64.add (i64.extend_i32_u (local.get 0)) (local.get 1))))
            """)
        let add = try instance.entryPoint("add")
        #expect(add.type == FunctionType(parameters: [.i32, .i64], results: [.i64]))
        #expect(add.values.count == 2)
        for (a, b) in [(UInt64(1), UInt64(2)), (0xffff_ffff, 1 << 40)] {
            add.values[0] = a
            add.values[1] = b
            try add.invoke()
            #expect(add.values[0] == a + b)
            #expect(try instance.invoke("add", [.i32(UInt32(a)), .i64(b)]) == [.i64(a + b)])
        }
        #expect(throws: AOTError.self) { try instance.entryPoint("missing") }
    }

    @Test func rawHostFunctionsSeeArgumentsAndWriteResults() throws {
        var seen: [UInt32] = []
        let triple = AOTFunction.host(FunctionType(parameters: [.i32, .i32], results: [.i32]), raw: { values in
            let (a, b) = (UInt32(truncatingIfNeeded: values[0]), UInt32(truncatingIfNeeded: values[1]))
            seen.append(a)
            seen.append(b)
            values[0] = UInt64(a &* 3 &+ b)
        })
        let instance = try Self.instantiate("""
            (module (import "host" "triple" (func $triple (param i32 i32) (result i32)))
              (func (export "run") (param i32) (result i32)
                (call $triple (local.get 0) (i32.const -1))))
            """, imports: ["triple": triple])
        let run = try instance.entryPoint("run")
        run.values[0] = 5
        try run.invoke()
        #expect(UInt32(truncatingIfNeeded: run.values[0]) == 14)
        #expect(seen == [5, 0xffff_ffff])
    }

    @Test func aRawHostFunctionThatThrowsStopsTheCallWithItsError() throws {
        let refuse = AOTFunction.host(FunctionType(parameters: [], results: []), raw: { _ in throw Refused() })
        let instance = try Self.instantiate("""
            (module (import "host" "refuse" (func $refuse))
              (func (export "run") (call $refuse) (unreachable)))
            """, imports: ["refuse": refuse])
        let run = try instance.entryPoint("run")
        #expect(throws: Refused.self) { try run.invoke() }
        // The instance stays usable, and a trap is still a trap.
        #expect(throws: Refused.self) { try run.invoke() }
    }

    @Test func anEntryPointReportsTraps() throws {
        let instance = try Self.instantiate("""
            (module (func (export "divide") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1))))
            """)
        let divide = try instance.entryPoint("divide")
        divide.values[0] = 7
        divide.values[1] = 0
        do {
            try divide.invoke()
            Issue.record("expected a trap")
        } catch let trap as AOTTrap {
            #expect(trap.reason == "integer divide by zero")
        }
        divide.values[0] = 7
        divide.values[1] = 2
        try divide.invoke()
        #expect(UInt32(truncatingIfNeeded: divide.values[0]) == 3)
    }
}
