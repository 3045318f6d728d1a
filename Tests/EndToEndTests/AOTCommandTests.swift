import Foundation
import RuneTestSupport
import Testing

/// `runec aot`: the AOT engine's translation written out as an object, a shared object or IR.
@Suite struct AOTCommandTests {
    func compiledRune(in folder: URL) throws -> URL {
        let rune = folder.appendingPathComponent("app.rune")
        let build = try Executables.run("runec", [Fixtures.runefile(in: Fixtures.folder("runes", "rand-f32")).path, "-o", rune.path])
        #expect(build.status == 0, "\(build.standardError)")
        return rune
    }

    /// The ELF file type (e_type, little-endian at offset 16): 1 relocatable, 3 shared.
    func elfType(_ url: URL) throws -> UInt16? {
        let bytes = try [UInt8](Data(contentsOf: url))
        guard bytes.count > 18, bytes[0..<4].elementsEqual([0x7f, 0x45, 0x4c, 0x46]) else { return nil }
        return UInt16(bytes[16]) | UInt16(bytes[17]) << 8
    }

    @Test func writesASharedObjectAnObjectAndIR() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = try compiledRune(in: scratch)
        let shared = scratch.appendingPathComponent("app.so")
        let object = scratch.appendingPathComponent("app.o")
        let sharedRun = try Executables.run("runec", ["aot", rune.path, "--target", "host", "-o", shared.path])
        #expect(sharedRun.status == 0, "\(sharedRun.standardError)")
        #expect(try elfType(shared) == 3)
        #expect(try Executables.run("runec", ["aot", rune.path, "--emit", "object", "-o", object.path]).status == 0)
        #expect(try elfType(object) == 1)
        let ir = try Executables.run("runec", ["aot", rune.path, "--emit", "llvm-ir"])
        #expect(ir.status == 0)
        #expect(ir.standardOutput.contains("define") && ir.standardOutput.contains("@wasm_entry_"))
    }

    /// `--plain-kernels` chooses how runec compiles a pipeline's C; a .rune's kernels are
    /// already WebAssembly, so `runec aot` refuses it rather than ignore it.
    @Test func refusesPlainKernels() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = try compiledRune(in: scratch)
        let firmware = scratch.appendingPathComponent("app.elf")
        let run = try Executables.run("runec", ["aot", rune.path, "--board", "mps2-an500", "--plain-kernels", "-o", firmware.path])
        #expect(run.status != 0)
        #expect(run.standardError.contains("--plain-kernels chooses how runec compiles a pipeline's C"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: firmware.path))
    }

    @Test func refusesUnknownTargetsAndForeignFiles() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = try compiledRune(in: scratch)
        let target = try Executables.run("runec", ["aot", rune.path, "--target", "riscv32", "-o", scratch.appendingPathComponent("x.o").path])
        #expect(target.status != 0)
        #expect(target.standardError.contains("unknown target 'riscv32'; the targets are host and cortex-m7"))
        let notes = scratch.appendingPathComponent("notes.txt")
        try Data("my notes".utf8).write(to: notes)
        let clobber = try Executables.run("runec", ["aot", rune.path, "-o", notes.path])
        #expect(clobber.status == 1)
        #expect(try Data(contentsOf: notes) == Data("my notes".utf8))
        let binary = try Executables.run("runec", ["aot", rune.path])
        #expect(binary.status != 0, "binary code is never written to a terminal by default")
    }
}
