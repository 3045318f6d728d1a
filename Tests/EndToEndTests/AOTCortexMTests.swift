import Foundation
import RuneManifest
import RuneTestSupport
import Testing
import WAT

/// The AOT engine's Cortex-M7 target: `runec aot app.rune --target cortex-m7` translates a rune's
/// WebAssembly to Thumb code, and with `--board mps2-an500` links it into firmware that runs it
/// sandboxed on QEMU's Cortex-M7 board. The serial output must be what `rune run` prints.
@Suite(.enabled(if: Executables.system("qemu-system-arm") != nil, "needs qemu-system-arm"))
struct AOTCortexMTests {
    static let cases = CortexMTests.cases

    /// Translates `rune` into mps2-an500 firmware and boots it; the serial output and QEMU's status.
    static func boot(_ rune: URL, embedding: [String], in folder: URL) throws -> Executables.Result {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = scratch.appendingPathComponent("app.elf")
        let build = try Executables.run("runec", ["aot", rune.path, "--target", "cortex-m7", "--board", "mps2-an500", "-o", firmware.path]
                                        + embedding.flatMap { ["--embed-input", $0] }, in: folder)
        try #require(build.status == 0, "runec aot failed:\n\(build.standardError)")
        let timeout = try #require(Executables.system("timeout"))
        return try Executables.run(executable: timeout, ["120", "qemu-system-arm", "-M", "mps2-an500", "-nographic",
                                                         "-semihosting-config", "enable=on,target=native", "-kernel", firmware.path])
    }

    static func records(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("{") }.map(String.init)
    }

    @Test(arguments: cases)
    func translatedRunePrintsWhatRuneRunPrints(_ testCase: CortexMTests.Case) throws {
        let folder = Fixtures.folder("hotg", testCase.example)
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        let build = try Executables.run("runec", [folder.appendingPathComponent(testCase.runefile).path, "-o", rune.path])
        try #require(build.status == 0, "\(build.standardError)")

        let host = try Executables.run("rune", ["run", rune.path] + testCase.inputs.flatMap { [$0.flag, "\($0.capability)=\($0.file)"] }, in: folder)
        try #require(host.status == 0, "\(host.standardError)")
        let booted = try Self.boot(rune, embedding: testCase.inputs.map { "\($0.capability)=\($0.file)" }, in: folder)
        #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)\n\(booted.standardError)")
        #expect(!Self.records(host.standardOutput).isEmpty)
        #expect(Self.records(booted.standardOutput) == host.standardOutput.split(whereSeparator: \.isNewline).map(String.init),
                "serial:\n\(booted.standardOutput)")
    }

    @Test func objectAndIRAreThumbCodeReachedOnlyThroughTheDescriptor() throws {
        let folder = Fixtures.folder("hotg", "sine")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        try #require(try Executables.run("runec", [folder.appendingPathComponent("Runefile.yml").path, "-o", rune.path]).status == 0)

        let object = scratch.appendingPathComponent("app.o")
        let translate = try Executables.run("runec", ["aot", rune.path, "--target", "cortex-m7", "-o", object.path])
        try #require(translate.status == 0, "\(translate.standardError)")
        let bytes = try [UInt8](Data(contentsOf: object))
        try #require(bytes.count > 20 && bytes[0..<4].elementsEqual([0x7f, 0x45, 0x4c, 0x46]))
        #expect(bytes[4] == 1, "ELFCLASS32")
        #expect(UInt16(bytes[16]) | UInt16(bytes[17]) << 8 == 1, "a relocatable object")
        #expect(UInt16(bytes[18]) | UInt16(bytes[19]) << 8 == 40, "EM_ARM")

        let ir = try Executables.run("runec", ["aot", rune.path, "--target", "cortex-m7", "--emit", "llvm-ir"])
        try #require(ir.status == 0, "\(ir.standardError)")
        #expect(ir.standardOutput.contains(#"target triple = "thumbv7em-unknown-none-eabihf""#))
        #expect(ir.standardOutput.contains("@rune_aot_descriptor = local_unnamed_addr constant"), "the one global symbol, in flash")
        let definitions = ir.standardOutput.split(separator: "\n").filter { $0.hasPrefix("define ") }
        #expect(!definitions.isEmpty)
        #expect(definitions.allSatisfy { $0.hasPrefix("define internal ") }, "code is reached through the descriptor, never by name")
        // The host reaches nothing but the context: no declared (imported) function but LLVM's own.
        let declarations = ir.standardOutput.split(separator: "\n").filter { $0.hasPrefix("declare ") }
        #expect(declarations.allSatisfy { $0.contains("@llvm.") }, "\(declarations)")
    }

    @Test func cortexM7ObjectsAreNotSharedObjectsAndFirmwareNeedsABoard() throws {
        let folder = Fixtures.folder("hotg", "sine")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        try #require(try Executables.run("runec", [folder.appendingPathComponent("Runefile.yml").path, "-o", rune.path]).status == 0)
        let output = scratch.appendingPathComponent("out")
        let shared = try Executables.run("runec", ["aot", rune.path, "--target", "cortex-m7", "--emit", "shared", "-o", output.path])
        #expect(shared.status != 0)
        #expect(shared.standardError.contains("cortex-m7 has no dynamic loader"))
        let hostBoard = try Executables.run("runec", ["aot", rune.path, "--target", "host", "--board", "mps2-an500", "-o", output.path])
        #expect(hostBoard.status != 0)
        #expect(hostBoard.standardError.contains("--board needs --target cortex-m7"))
        let wrongInput = try Executables.run("runec", ["aot", rune.path, "--target", "cortex-m7", "--board", "mps2-an500",
                                                       "--embed-input", "nope=input.bin", "-o", output.path], in: folder)
        #expect(wrongInput.status == 1)
        #expect(wrongInput.standardError.contains("--embed-input names 'nope', which is not a capability of this rune"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// A rune needing a sensor the board lacks gets no firmware, as with direct firmware.
    @Test func aCapabilityTheBoardLacksIsRefusedAtLinkTime() throws {
        let folder = Fixtures.folder("hotg", "person_detection")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        try #require(try Executables.run("runec", [folder.appendingPathComponent("Runefile").path, "-o", rune.path]).status == 0)
        let output = scratch.appendingPathComponent("app.elf")
        let build = try Executables.run("runec", ["aot", rune.path, "--target", "cortex-m7", "--board", "mps2-an500", "-o", output.path])
        #expect(build.status != 0)
        #expect(build.standardError.contains("the rune needs capability 'image' of kind IMAGE, which board mps2-an500 does not provide"),
                "\(build.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    // MARK: Numerics

    /// A rune whose `_call` writes 16 results (I64[16]) computed on operands held in mutable
    /// globals, so LLVM cannot fold them on the workstation: 64-bit division and remainder,
    /// conversions between floats and 64-bit integers (Arm's EABI helpers on the board),
    /// saturating truncation, sqrt, round-to-even, min of signed zeros, rotation,
    /// memory.fill/copy, a multiply-add that a fused multiply-add would round differently, a
    /// call through the table, and a global its start function set.
    static let numericRune = """
        (module
          (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1 1)
          (global $big (mut i64) (i64.const -7000000000000))
          (global $three (mut i64) (i64.const 3))
          (global $ones (mut i64) (i64.const -1))
          (global $ten (mut i64) (i64.const 10))
          (global $d (mut f64) (f64.const -123456789012.75))
          (global $f (mut f32) (f32.const 1.5e10))
          (global $odd (mut i64) (i64.const -9007199254740993))
          (global $huge (mut f64) (f64.const 1e300))
          (global $two (mut f64) (f64.const 2.0))
          (global $half (mut f64) (f64.const 2.5))
          (global $zero (mut f64) (f64.const 0.0))
          (global $ends (mut i64) (i64.const 0x8000000000000001))
          (global $a (mut f64) (f64.const 0x1.00000004p+0))
          (global $c (mut f64) (f64.const -0x1.00000008p+0))
          (global $slot (mut i32) (i32.const 1))
          (global $started (mut i64) (i64.const 0))
          (type $binary (func (param i64 i64) (result i64)))
          (table 2 funcref)
          (elem (i32.const 0) $add $multiply)
          (func $add (type $binary) (i64.add (local.get 0) (local.get 1)))
          (func $multiply (type $binary) (i64.mul (local.get 0) (local.get 1)))
          (func $start (global.set $started (i64.const 42)))
          (start $start)
          (func $manifest (result i32) i32.const 1024)
          (func $call (result i32)
            (i64.store (i32.const 2048) (i64.div_s (global.get $big) (global.get $three)))
            (i64.store (i32.const 2056) (i64.rem_u (global.get $ones) (global.get $ten)))
            (i64.store (i32.const 2064) (i64.trunc_f64_s (global.get $d)))
            (i64.store (i32.const 2072) (i64.trunc_f32_u (global.get $f)))
            (i64.store (i32.const 2080) (i64.reinterpret_f64 (f64.convert_i64_s (global.get $odd))))
            (i64.store (i32.const 2088) (i64.extend_i32_u (i32.reinterpret_f32 (f32.convert_i64_u (global.get $ones)))))
            (i64.store (i32.const 2096) (i64.trunc_sat_f64_s (global.get $huge)))
            (i64.store (i32.const 2104) (i64.reinterpret_f64 (f64.sqrt (global.get $two))))
            (i64.store (i32.const 2112) (i64.reinterpret_f64 (f64.nearest (global.get $half))))
            (i64.store (i32.const 2120) (i64.reinterpret_f64 (f64.min (f64.neg (global.get $zero)) (global.get $zero))))
            (i64.store (i32.const 2128) (i64.rotl (global.get $ends) (i64.const 65)))
            (memory.fill (i32.const 4096) (i32.const 0xab) (i32.wrap_i64 (global.get $ten)))
            (memory.copy (i32.const 8192) (i32.const 4094) (i32.const 8))
            (i64.store (i32.const 2136) (i64.load (i32.const 8192)))
            (i64.store (i32.const 2144) (i64.reinterpret_f64 (f64.add (f64.mul (global.get $a) (global.get $a)) (global.get $c))))
            (i64.store (i32.const 2152) (i64.div_u (global.get $ones) (global.get $three)))
            (i64.store (i32.const 2160) (call_indirect (type $binary) (global.get $big) (global.get $three) (global.get $slot)))
            (i64.store (i32.const 2168) (global.get $started))
            (call $write (i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 128)))
          (export "_manifest" (func $manifest))
          (export "_call" (func $call)))
        """

    @Test func numericsAgreeWithTheHost() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("numeric.rune")
        try Data(try Self.rune(Self.numericRune, output: TensorType(.i64, [16]))).write(to: rune)
        let host = try Executables.run("rune", ["run", rune.path])
        try #require(host.status == 0, "\(host.standardError)")
        let booted = try Self.boot(rune, embedding: [], in: scratch)
        #expect(booted.status == 0, "serial:\n\(booted.standardOutput)")
        #expect(Self.records(booted.standardOutput) == Self.records(host.standardOutput), "serial:\n\(booted.standardOutput)")
        // Spot checks, so that both engines being wrong alike would still fail.
        #expect(host.standardOutput.contains("[-2333333333333,5,-123456789012,"))
        #expect(host.standardOutput.contains(",9223372036854775807,"), "saturated")
        // (1 + 2^-30)^2 - (1 + 2^-29) is 0 once the product is rounded; fused, it would be 2^-60.
        #expect(host.standardOutput.contains(",0,6148914691236517205,-21000000000000,42]"), "\(host.standardOutput)")
    }

    /// `text` with the manifest blob placed at address 1024 and the manifest section appended:
    /// no capabilities, one SERIAL output `serial` of type `output`.
    static func rune(_ text: String, output: TensorType) throws -> [UInt8] {
        try rune(text, manifest: Manifest(capabilities: [], outputs: [.init(name: "serial", kind: "SERIAL", inputs: [output], arguments: [])],
                                          models: [], memoryBytes: 65536))
    }

    /// `text` with `manifest` placed at address 1024 and in the manifest section.
    static func rune(_ text: String, manifest: Manifest) throws -> [UInt8] {
        let blob = manifest.encoded()
        let length = UInt32(blob.count)
        let header = (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        let data = (header + blob).map { byte in "\\" + (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        let withData = text.replacingOccurrences(of: "(func $manifest (result i32)",
                                                 with: "(data (i32.const 1024) \"\(data)\")\n  (func $manifest (result i32)")
        return WasmCustomSection.append(name: Manifest.sectionName, payload: blob, to: try wat2wasm(withData))
    }

    // MARK: Isolation

    /// A rune of one 64 KiB page whose `_call` stores the i32 7 at `address`, then hands the
    /// host the last 16 bytes of its memory as output `serial` (I32[4]).
    static func storingRune(at address: UInt32) throws -> [UInt8] {
        try rune("""
            (module
              (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1 1)
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32)
                i32.const \(address)
                i32.const 7
                i32.store
                (call $write (i32.const 0) (i32.const 0) (i32.const 65520) (i32.const 16)))
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """, output: TensorType(.i32, [4]))
    }

    @Test func theLastWordOfMemoryIsWritable() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("edge.rune")
        try Data(try Self.storingRune(at: 65532)).write(to: rune)
        let host = try Executables.run("rune", ["run", rune.path])
        try #require(host.status == 0, "\(host.standardError)")
        #expect(host.standardOutput.contains(#""elements":[0,0,0,7]"#))
        let booted = try Self.boot(rune, embedding: [], in: scratch)
        #expect(booted.status == 0, "serial:\n\(booted.standardOutput)")
        #expect(Self.records(booted.standardOutput) == Self.records(host.standardOutput))
    }

    @Test func anOutOfBoundsStoreTrapsInsteadOfWritingPastTheMemory() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("hostile.rune")
        // One byte of the word lies past the 64 KiB memory: on the board that is the RAM after it.
        try Data(try Self.storingRune(at: 65533)).write(to: rune)
        let host = try Executables.run("rune", ["run", rune.path])
        #expect(host.status != 0)
        #expect(host.standardError.contains("out of bounds memory access"), "\(host.standardError)")
        let booted = try Self.boot(rune, embedding: [], in: scratch)
        #expect(booted.status == 1, "serial:\n\(booted.standardOutput)")
        #expect(booted.standardOutput.contains("error: the rune trapped: out of bounds memory access"), "serial:\n\(booted.standardOutput)")
        #expect(Self.records(booted.standardOutput).isEmpty, "the call stopped before its output")
        #expect(!booted.standardOutput.contains("fatal:"), "a trap, not a fault")
    }

    /// The output checks exist twice, in the host (Swift) and in the Cortex-M runtime (C): a rune
    /// that breaks them must hear the same words from both.
    @Test(arguments: [("12 bytes", "(i32.const 0) (i32.const 0) (i32.const 0) (i32.const 12)"),
                      ("an undeclared output", "(i32.const 3) (i32.const 0) (i32.const 0) (i32.const 16)"),
                      ("an undeclared tensor", "(i32.const 0) (i32.const 2) (i32.const 0) (i32.const 16)")])
    func outputViolationsAreWordedAsTheHostWordsThem(_ what: String, _ arguments: String) throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("violating.rune")
        try Data(try Self.rune("""
            (module
              (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1 1)
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32) (drop (call $write \(arguments))) i32.const 0)
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """, output: TensorType(.i32, [4]))).write(to: rune)
        let host = try Executables.run("rune", ["run", rune.path])
        let prefix = "error: the rune was stopped: "
        let hostMessage = try #require(host.standardError.split(separator: "\n").first { $0.hasPrefix(prefix) }?.dropFirst(prefix.count),
                                       "\(what): \(host.standardError)")
        let booted = try Self.boot(rune, embedding: [], in: scratch)
        let deviceMessage = try #require(booted.standardOutput.split(whereSeparator: \.isNewline).first { $0.hasPrefix("[error] ") }?.dropFirst(8),
                                         "\(what): serial:\n\(booted.standardOutput)")
        #expect(deviceMessage == hostMessage, "\(what)")
    }

    @Test func unboundedRecursionTrapsBeforeTheStackOverflows() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("deep.rune")
        try Data(try Self.rune("""
            (module
              (memory (export "memory") 1 1)
              (func $deep (param i32) (result i32) (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32) (call $deep (i32.const 0)))
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """, output: TensorType(.i32, [4]))).write(to: rune)
        let booted = try Self.boot(rune, embedding: [], in: scratch)
        #expect(booted.status == 1, "serial:\n\(booted.standardOutput)")
        #expect(booted.standardOutput.contains("error: the rune trapped: call stack exhausted"), "serial:\n\(booted.standardOutput)")
        #expect(!booted.standardOutput.contains("fatal:"), "a trap, not a fault")
    }
}
