import RuneAOT
import Testing
import WasmTypes
import WAT

/// Translated functions keep the memory's base and size in registers between calls (see
/// Memory.swift), reloaded after memory.grow and after every call. These modules access pages
/// that exist only after a grow, by the function itself, by a callee, or by a host function: a
/// stale size would trap, a stale base would touch freed memory.
@Suite struct MemoryGrowthTests {
    static func instantiate(_ text: String, imports: [String: AOTExternal] = [:]) throws -> AOTInstance {
        try AOTInstance(module: try AOTModule(bytes: try wat2wasm(text)), store: AOTStore()) { _, name in imports[name] }
    }

    @Test func accessesPagesGrownByTheSameFunction() throws {
        let instance = try Self.instantiate("""
            (module (memory 1)
              (func (export "run") (param $pages i32) (result i32) (local $i i32) (local $sum i32)
                (loop $grow
                  (drop (memory.grow (i32.const 1)))
                  ;; the last word of the page just added
                  (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (memory.size))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $grow (i32.lt_u (local.get $i) (local.get $pages))))
                (local.set $i (i32.const 2))
                (loop $sum
                  (local.set $sum (i32.add (local.get $sum)
                    (i32.load (i32.sub (i32.mul (local.get $i) (i32.const 65536)) (i32.const 4)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $sum (i32.le_u (local.get $i) (memory.size))))
                (local.get $sum)))
            """)
        // Pages 2...9 hold their own page count: 2 + 3 + ... + 9.
        #expect(try instance.invoke("run", [.i32(8)]) == [.i32(44)])
    }

    @Test func accessesPagesGrownByACallee() throws {
        let instance = try Self.instantiate("""
            (module (memory 1)
              (func $grow (drop (memory.grow (i32.const 4))))
              (func (export "run") (result i32)
                (i32.store (i32.const 16) (i32.const 7))   ;; the size is loaded here: 1 page
                (call $grow)
                (i32.store (i32.const 300000) (i32.const 5))
                (i32.add (i32.load (i32.const 16)) (i32.load (i32.const 300000)))))
            """)
        #expect(try instance.invoke("run", []) == [.i32(12)])
    }

    @Test func accessesPagesGrownByAHostFunction() throws {
        let memory = try AOTMemory(pages: 1, maximumPages: 100)
        let grow = AOTFunction.host(FunctionType(parameters: [], results: [])) { _ in
            _ = memory.grow(by: 50)
            return []
        }
        let instance = try Self.instantiate("""
            (module
              (import "host" "memory" (memory 1 100))
              (import "host" "grow" (func $grow))
              (func (export "run") (result i32)
                (i32.store (i32.const 8) (i32.const 1))
                (call $grow)
                (i32.store (i32.const 3000000) (i32.const 41))
                (i32.add (i32.load (i32.const 8)) (i32.load (i32.const 3000000)))))
            """, imports: ["memory": .memory(memory), "grow": .function(grow)])
        #expect(try instance.invoke("run", []) == [.i32(42)])
        #expect(memory.pages == 51)
    }
}
