import Foundation
import RuneCompiler
import RuneManifest
import RuneTestSupport
import Testing

/// RunicOS on QEMU's mps2-an500: runes built into the OS (`runec runicos --rune`) boot from a
/// verified container image in slot A and run unprivileged under the MPU. Their output must be
/// what `rune run` prints; a trap, a fault or a runaway call must end in one JSON line while
/// the OS stays in control.
@Suite(.enabled(if: Executables.system("qemu-system-arm") != nil, "needs qemu-system-arm"))
struct RunicOSTests {
    /// Builds RunicOS with `rune` built in and boots it until the rune is done; serial output and
    /// QEMU's status.
    static func boot(_ rune: URL, arguments: [String] = [], in folder: URL) throws -> Executables.Result {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = scratch.appendingPathComponent("runicos.elf")
        let build = try Executables.run("runec", ["runicos", "--board", "mps2-an500", "--rune", rune.path, "--exit-when-done",
                                                  "-o", firmware.path] + arguments, in: folder)
        try #require(build.status == 0, "runec runicos failed:\n\(build.standardError)")
        let timeout = try #require(Executables.system("timeout"))
        return try Executables.run(executable: timeout, ["-s", "KILL", "30", "qemu-system-arm", "-M", "mps2-an500", "-nographic",
                                                         "-semihosting-config", "enable=on,target=native", "-kernel", firmware.path])
    }

    /// The JSON line RunicOS prints when it stops a rune, if there is one.
    static func trapLine(_ serial: String) -> String? {
        serial.split(whereSeparator: \.isNewline).map(String.init).first { $0.hasPrefix("{\"error\":\"trap\"") }
    }

    @Test(arguments: CortexMTests.cases)
    func builtInRunePrintsWhatRuneRunPrints(_ testCase: CortexMTests.Case) throws {
        let folder = Fixtures.folder("hotg", testCase.example)
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        let build = try Executables.run("runec", [folder.appendingPathComponent(testCase.runefile).path, "-o", rune.path])
        try #require(build.status == 0, "\(build.standardError)")

        let host = try Executables.run("rune", ["run", rune.path, "--repeat", "2"]
                                       + testCase.inputs.flatMap { [$0.flag, "\($0.capability)=\($0.file)"] }, in: folder)
        try #require(host.status == 0, "\(host.standardError)")
        let booted = try Self.boot(rune, arguments: ["--iterations", "2"] + testCase.inputs.flatMap { ["--embed-input", "\($0.capability)=\($0.file)"] },
                                   in: folder)
        #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)\n\(booted.standardError)")
        #expect(AOTCortexMTests.records(host.standardOutput).count == 2)
        #expect(booted.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
                    == host.standardOutput.split(whereSeparator: \.isNewline).map(String.init),
                "serial:\n\(booted.standardOutput)")
    }

    /// `--quiet-outputs` applies to RunicOS too: the built-in rune runs its calls, but serial
    /// carries only the timing line.
    @Test func quietBuiltInRunePrintsOnlyItsTiming() throws {
        let folder = Fixtures.folder("hotg", "sine")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("sine.rune")
        let build = try Executables.run("runec", [folder.appendingPathComponent("Runefile.yml").path, "-o", rune.path])
        try #require(build.status == 0, "\(build.standardError)")
        let booted = try Self.boot(rune, arguments: ["--iterations", "3", "--report-timing", "--quiet-outputs", "--embed-input", "rand=input.bin"],
                                   in: folder)
        #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)")
        let lines = booted.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.count == 1 && lines[0].hasPrefix("timing: 3 calls, ") && lines[0].hasSuffix(" cycles per call"), "serial:\n\(booted.standardOutput)")
    }

    @Test func anOutOfBoundsStoreIsOneTrapLine() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("hostile.rune")
        try Data(try AOTCortexMTests.storingRune(at: 65533)).write(to: rune)
        let booted = try Self.boot(rune, in: scratch)
        #expect(booted.status == 1, "serial:\n\(booted.standardOutput)")
        let line = try #require(Self.trapLine(booted.standardOutput), "serial:\n\(booted.standardOutput)")
        #expect(line.hasPrefix(#"{"error":"trap","reason":"out of bounds memory access","function":"_call","slot":"A","rune":""#), "\(line)")
        #expect(AOTCortexMTests.records(booted.standardOutput) == [line], "the call stopped before its output")
        #expect(!booted.standardOutput.contains("fatal:"), "the OS survived")
    }

    /// A rune of one page whose `_call` loads (or stores) the word at `offset` from its memory's
    /// base, with no bounds check in its code (`--isolation mpu`), so only the MPU stands between
    /// it and what lies there.
    static func reachingRune(offset: Int32, store: Bool) throws -> [UInt8] {
        // A loaded value is kept (stored at 0), or LLVM would drop the load.
        let access = store ? "(i32.store (i32.const \(offset)) (i32.const 7))" : "(i32.store (i32.const 0) (i32.load (i32.const \(offset))))"
        return try AOTCortexMTests.rune("""
            (module
              (memory (export "memory") 1 1)
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32) \(access) i32.const 0)
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """, output: TensorType(.i32, [4]))
    }

    /// The rune's memory starts just after its control block at 0x20200400; the OS's RAM is
    /// 0x20000000-0x2003ffff and its code from 0; the UART is at 0x40004000; the rune's own
    /// slot (read-only to it) at 0x00100000.
    @Test(arguments: [("the OS's RAM", Int32(-0x1F_0000), false), ("the OS's RAM", Int32(-0x1F_0000), true),
                      ("a peripheral", Int32(0x1FE0_3C00), false), ("the OS's code", Int32(-0x2020_0000), true), ("the rune's own code", Int32(-0x2010_0000), true)])
    func anAccessOutsideTheRuneIsAMemoryProtectionFault(_ target: String, _ offset: Int32, _ store: Bool) throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("escape.rune")
        try Data(try Self.reachingRune(offset: offset, store: store)).write(to: rune)
        let booted = try Self.boot(rune, arguments: ["--isolation", "mpu", "--iterations", "1"], in: scratch)
        #expect(booted.status == 1, "\(target): serial:\n\(booted.standardOutput)")
        let line = try #require(Self.trapLine(booted.standardOutput), "\(target): serial:\n\(booted.standardOutput)")
        #expect(line.contains(#""reason":"memory protection fault","function":"_call""#), "\(target): \(line)")
        #expect(line.contains(#""address":"0x"#), "the fault names the address: \(line)")
        #expect(!booted.standardOutput.contains("fatal:"), "the OS survived")
    }

    @Test func aRunawayCallIsStoppedByTheWatchdog() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("runaway.rune")
        try Data(try AOTCortexMTests.rune("""
            (module
              (memory (export "memory") 1 1)
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32) (loop $forever (br $forever)) i32.const 0)
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """, output: TensorType(.i32, [4]))).write(to: rune)
        let booted = try Self.boot(rune, arguments: ["--call-timeout-ms", "200"], in: scratch)
        #expect(booted.status == 1, "serial:\n\(booted.standardOutput)")
        let line = try #require(Self.trapLine(booted.standardOutput), "serial:\n\(booted.standardOutput)")
        #expect(line.contains(#""reason":"call timed out","function":"_call""#), "\(line)")
        #expect(line.contains(#""pc":"0x001"#), "stopped inside its slot: \(line)")
    }
}

/// What `runec aot -o app.rimg` and `runec runicos` refuse, without QEMU.
struct RunicOSCommandLineTests {
    @Test func containerImagesAreCheckedAgainstTheBoardAndTheirOptions() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let sine = scratch.appendingPathComponent("sine.rune")
        let folder = Fixtures.folder("hotg", "sine")
        try #require(try Executables.run("runec", [folder.appendingPathComponent("Runefile.yml").path, "-o", sine.path]).status == 0)

        let image = scratch.appendingPathComponent("sine.rimg")
        let built = try Executables.run("runec", ["aot", sine.path, "--board", "mps2-an500", "--slot", "b", "-o", image.path])
        try #require(built.status == 0, "\(built.standardError)")
        let bytes = try [UInt8](Data(contentsOf: image))
        #expect(Array(bytes.prefix(4)) == Array("RIMG".utf8))
        #expect(bytes[32..<36].elementsEqual([0x00, 0x00, 0x20, 0x00]), "linked at slot B, 0x00200000")

        for (arguments, message) in [
            (["aot", sine.path, "--slot", "b", "-o", scratch.appendingPathComponent("x.o").path], "--slot is for a RunicOS container image"),
            (["aot", sine.path, "--board", "mps2-an500", "--isolation", "mpu", "-o", scratch.appendingPathComponent("x.elf").path],
             "only a RunicOS container image"),
            (["aot", sine.path, "--board", "mps2-an500", "--iterations", "3", "-o", image.path], "takes its inputs from RunicOS"),
            (["runicos", "-o", scratch.appendingPathComponent("os.elf").path], "give the board"),
            (["runicos", "--board", "mps2-an500", "--embed-input", "rand=x", "-o", scratch.appendingPathComponent("os.elf").path],
             "is for a built-in rune; give one with --rune"),
        ] {
            let result = try Executables.run("runec", arguments)
            #expect(result.status != 0 && result.standardError.contains(message), "runec \(arguments): \(result.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("os.elf").path))
    }

    @Test func thePortentaBuildLinksFitsAndStartsAfterTheBootloader() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = scratch.appendingPathComponent("runicos.elf")
        let build = try Executables.run("runec", ["runicos", "--board", "portenta-h7", "-o", firmware.path])
        try #require(build.status == 0, "\(build.standardError)")
        let image = try ELFImage([UInt8](Data(contentsOf: firmware)))
        let layout = Board.portentaH7.runicos
        let vectors = try #require(image.sections.first { $0.name == ".isr_vector" })
        #expect(vectors.address == 0x0804_0000)
        let gate = try #require(image.sections.first { $0.name == ".runicos_gate" })
        #expect(gate.size == 128 && gate.address % 128 == 0, "the gate region is one MPU region")
        for section in image.sections where section.isAllocated && section.size > 0 {
            let region = section.isWritable ? layout.ram : layout.flash
            #expect(section.address >= region.origin && UInt64(section.address) + UInt64(section.size) <= UInt64(region.origin) + UInt64(region.bytes),
                    "\(section.name) at 0x\(String(section.address, radix: 16)) lies outside RunicOS's \(region.name)")
        }
        #expect(UInt64(layout.flash.origin) + UInt64(layout.flash.bytes) <= UInt64(layout.slots[0]), "the OS stops before slot A")
    }

    @Test func aRuneNeedingWhatTheBoardLacksGetsNoImage() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let camera = scratch.appendingPathComponent("camera.rune")
        let manifest = Manifest(capabilities: [.init(name: "camera", kind: "IMAGE", tensor: TensorType(.u8, [4]), arguments: [])],
                                outputs: [], models: [], memoryBytes: 65536)
        try Data(try AOTCortexMTests.rune("""
            (module
              (memory (export "memory") 1 1)
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32) i32.const 0)
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """, manifest: manifest)).write(to: camera)
        let image = scratch.appendingPathComponent("camera.rimg")
        let result = try Executables.run("runec", ["aot", camera.path, "--board", "mps2-an500", "-o", image.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("the rune needs capability 'camera' of kind IMAGE, which board mps2-an500 does not provide"),
                "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: image.path))
    }
}
