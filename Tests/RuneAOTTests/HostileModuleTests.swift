import Foundation
import RuneAOT
import Synchronization
import Testing
import WasmTypes
import WAT

/// A flag one thread raises and another watches: a class, so threads' closures can share it.
final class SharedFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    var isRaised: Bool { raised.load(ordering: .acquiring) }
    func raise() { raised.store(true, ordering: .releasing) }
}

/// Modules that try to escape or stop the host: each gets a clean trap or error, and the
/// instance stays usable afterwards.
@Suite struct HostileModuleTests {
    static func instantiate(_ text: String, store: AOTStore = AOTStore()) throws -> AOTInstance {
        let bytes = try wat2wasm(text)
        return try AOTInstance(module: try AOTModule(bytes: bytes), store: store) { _, _ in nil }
    }

    func expectTrap(_ reason: String, _ body: () throws -> [AOTValue]) {
        do {
            let values = try body()
            Issue.record("expected trap \(reason), got \(values)")
        } catch let trap as AOTTrap {
            #expect(trap.reason.contains(reason), "trap: \(trap.reason)")
        } catch {
            Issue.record("expected trap \(reason), got \(error)")
        }
    }

    @Test func outOfBoundsLoadsAndStoresTrap() throws {
        let instance = try Self.instantiate("""
            (module (memory 1)
              (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
              (func (export "store32") (param i32) (i32.store offset=4 (local.get 0) (i32.const 7)))
              (func (export "load8") (param i32) (result i32) (i32.load8_u offset=0xffffffff (local.get 0))))
            """)
        #expect(try instance.invoke("load64", [.i32(65528)]) == [.i64(0)])
        // An i64 straddling the end: its first bytes are inside, the last outside.
        expectTrap("out of bounds memory access") { try instance.invoke("load64", [.i32(65532)]) }
        expectTrap("out of bounds memory access") { try instance.invoke("load64", [.i32(0xffff_fffc)]) }
        expectTrap("out of bounds memory access") { try instance.invoke("store32", [.i32(65532)]) }
        expectTrap("out of bounds memory access") { try instance.invoke("load8", [.i32(1)]) }
        #expect(try instance.invoke("load64", [.i32(0)]) == [.i64(0)])
    }

    @Test func memoryGrowsWithinItsLimitOnly() throws {
        let instance = try Self.instantiate("""
            (module (memory 1)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func (export "size") (result i32) (memory.size)))
            """)
        #expect(try instance.invoke("grow", [.i32(65536)]) == [.i32(UInt32(bitPattern: -1))])
        // To 4 GiB: allowed by the spec; the host may refuse (-1) but must not crash.
        let grown = try instance.invoke("grow", [.i32(65535)])
        #expect(grown == [.i32(1)] || grown == [.i32(UInt32(bitPattern: -1))])
        let size = try instance.invoke("size", [])
        #expect(size == (grown == [.i32(1)] ? [.i32(65536)] : [.i32(1)]))
    }

    @Test func unboundedRecursionExhaustsTheCallStack() throws {
        let instance = try Self.instantiate("""
            (module
              (func $f (export "f") (param i64) (result i64) (call $f (i64.add (local.get 0) (i64.const 1))))
              (func (export "ok") (result i32) (i32.const 1)))
            """)
        expectTrap("call stack exhausted") { try instance.invoke("f", [.i64(0)]) }
        #expect(try instance.invoke("ok", []) == [.i32(1)])
    }

    @Test func anInfiniteLoopIsInterrupted() throws {
        let store = AOTStore()
        let instance = try Self.instantiate("""
            (module (func (export "spin") (loop $l (br $l))))
            """, store: store)
        let timer = Thread { Thread.sleep(forTimeInterval: 0.2); store.interrupt() }
        timer.start()
        expectTrap("interrupted") { try instance.invoke("spin", []) }
    }

    /// Loops carry no interrupt check: the interrupt signals the thread. A loop that spends
    /// nearly all its time in libc (memory.fill is memset) or in a host function still stops,
    /// because the interrupt is repeated until a signal lands in translated code, and the
    /// instance runs again afterwards.
    @Test(arguments: ["fill", "hostCalls", "vectorizable"])
    func loopsAreInterruptedWherever(_ kind: String) throws {
        let store = AOTStore()
        let body = switch kind {
        case "fill": "(memory.fill (i32.const 0) (i32.const 1) (i32.const 65536))"
        case "hostCalls": "(call $host)"
        default: "(i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))"
        }
        let bytes = try wat2wasm("""
            (module (import "env" "host" (func $host)) (memory 1)
              (func (export "spin") (loop $l \(body) (br $l)))
              (func (export "ok") (result i32) (i32.const 1)))
            """)
        let host = AOTFunction.host(FunctionType(parameters: [], results: [])) { _ in
            Thread.sleep(forTimeInterval: 0.0005)
            return []
        }
        let instance = try AOTInstance(module: try AOTModule(bytes: bytes), store: store) { module, name in
            module == "env" && name == "host" ? .function(host) : nil
        }
        let done = SharedFlag()
        let interrupter = Thread {
            Thread.sleep(forTimeInterval: 0.1)
            while !done.isRaised {
                store.interrupt()
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        interrupter.start()
        let start = ContinuousClock.now
        expectTrap("interrupted") { try instance.invoke("spin", []) }
        done.raise()
        #expect(ContinuousClock.now - start < .seconds(10))
        store.clearInterrupt()
        #expect(try instance.invoke("ok", []) == [.i32(1)])
    }

    @Test func badIndirectCallsTrap() throws {
        let instance = try Self.instantiate("""
            (module
              (type $v (func (result i32)))
              (type $i (func (param i32) (result i32)))
              (table 3 funcref)
              (elem (i32.const 0) $one)
              (func $one (result i32) (i32.const 1))
              (func (export "call") (param i32) (result i32) (call_indirect (type $v) (local.get 0)))
              (func (export "wrong") (result i32) (call_indirect (type $i) (i32.const 5) (i32.const 0))))
            """)
        #expect(try instance.invoke("call", [.i32(0)]) == [.i32(1)])
        expectTrap("uninitialized element") { try instance.invoke("call", [.i32(1)]) }
        expectTrap("undefined element") { try instance.invoke("call", [.i32(3)]) }
        expectTrap("indirect call type mismatch") { try instance.invoke("wrong", []) }
    }

    @Test func unresolvedImportsAreRefused() throws {
        #expect(throws: AOTError.self) {
            try Self.instantiate(#"(module (import "env" "system" (func (param i32))))"#)
        }
    }

    @Test func invalidBodiesAreRefusedBeforeAnyCodeIsMade() throws {
        #expect(throws: AOTError.self) {
            try Self.instantiate("(module (func (result i32) (i64.const 1)))")
        }
    }
}
