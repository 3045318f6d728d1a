import Foundation
import RuneAOT
import Testing
import WAT

/// What the translator makes for `NativeTarget.cortexM7`, and what it refuses, without a board:
/// the firmware itself runs in EndToEndTests/AOTCortexMTests (QEMU).
@Suite struct CortexMTranslationTests {
    static let module = """
        (module
          (import "rune" "log" (func $log (param i32 i32 i32)))
          (memory 1)
          (data (i32.const 16) "hello")
          (global $g (mut i64) (i64.const 0x123456789))
          (table 1 funcref)
          (elem (i32.const 0) $f)
          (func $f (export "f") (param i32) (result i32)
            (i32.load offset=4 (local.get 0)))
          (func $start (global.set $g (i64.const 7)))
          (start $start))
        """

    func translate(_ text: String, isolation: MemoryIsolation? = nil, emit: AOTCompiler.Emit) throws -> [UInt8] {
        try AOTCompiler.compile(try wat2wasm(text), target: .cortexM7, isolation: isolation, emit: emit)
    }

    func expectRefusal(_ text: String, isolation: MemoryIsolation? = nil, emit: AOTCompiler.Emit = .object, _ reason: String) {
        do {
            _ = try translate(text, isolation: isolation, emit: emit)
            Issue.record("expected a refusal: \(reason)")
        } catch let error as AOTError {
            #expect(error.message.contains(reason), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theDescriptorHoldsWhatInstantiationCopies() throws {
        let ir = String(decoding: try translate(Self.module, emit: .llvmIR), as: UTF8.self)
        #expect(ir.contains(#"target triple = "thumbv7em-unknown-none-eabihf""#))
        #expect(ir.contains("@rune_aot_descriptor = "))
        #expect(ir.contains(#"c"hello""#), "the data segment's bytes")
        #expect(ir.contains("i64 4886718345"), "the global's initial bits, evaluated by the translator")
        #expect(ir.contains(#"c"log\00""#) && ir.contains(#"c"iii:\00""#), "the import's name and signature")
        #expect(ir.contains(#"c"f\00""#) && ir.contains(#"c"i:i\00""#), "the export's name and signature")
        #expect(ir.contains(#"section ".bss.rune_aot.memory""#))
        // The access is checked in 32 bits: offset 4 + size 4 against the memory's size.
        #expect(ir.contains("@llvm.usub.sat.i32"))
        #expect(!ir.contains("probe-stack"), "no stack probes on a device")
        let object = try translate(Self.module, emit: .object)
        #expect(object[4] == 1 && object[18] == 40, "an ELF32 ARM object")
    }

    @Test func whatADeviceCannotDoIsRefused() {
        expectRefusal(Self.module, isolation: .guardPages, "has no guard pages")
        expectRefusal(Self.module, emit: .shared, "has no dynamic loader")
        expectRefusal("(module (import \"env\" \"memory\" (memory 1)))", "is not a function; a device host provides only functions")
        expectRefusal("(module (memory 1) (data \"passive\"))", "passive data segments are not supported on a device")
        expectRefusal("(module (memory 1) (data (i32.const 65530) \"too long\"))", "out of bounds memory access")
        expectRefusal("(module (memory 40000))", "more than a 32-bit device can hold")
    }
}
