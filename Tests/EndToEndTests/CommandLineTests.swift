import Foundation
import RuneTestSupport
import Testing

/// The command-line contract: exit codes, where output goes, and no partial files.
@Suite struct CommandLineTests {
    let noop = Fixtures.folder("runes", "raw-i32")

    @Test func writesNothingWhenTheRunefileHasErrors() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("bad.rune")
        let bad = Fixtures.runefile(in: Fixtures.folder("diagnostics", "cycle"))
        let result = try Executables.run("runec", [bad.path, "-o", output.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("error[E0102]"))
        #expect(result.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "no temporary file left behind")
    }

    @Test func keepsAnExistingFileWhenCompilationFails() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("app.rune")
        try Data("previous".utf8).write(to: output)
        let bad = Fixtures.runefile(in: Fixtures.folder("diagnostics", "unknown-stage-in-run"))
        #expect(try Executables.run("runec", [bad.path, "-o", output.path]).status == 1)
        #expect(try Data(contentsOf: output) == Data("previous".utf8))
    }

    @Test func buildsASmallNoopRune() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("noop.rune")
        let result = try Executables.run("runec", [noop.appendingPathComponent("Runefile").path, "-o", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        let size = try Data(contentsOf: output).count
        #expect(size < 1024, "the noop rune is \(size) bytes")
    }

    @Test func emitsCAndIRToStandardOutput() throws {
        let runefile = noop.appendingPathComponent("Runefile").path
        let c = try Executables.run("runec", [runefile, "--emit", "c"])
        #expect(c.status == 0)
        #expect(c.standardOutput.contains("int32_t rune_call(void)"))
        let ir = try Executables.run("runec", [runefile, "--emit", "ir"])
        #expect(ir.standardOutput == """
            pipeline image="runicos/base"
              %input = capability RAW {source=0} -> I32[4]
              output serial SERIAL {} (%input)

            """)
        let llvm = try Executables.run("runec", [runefile, "--emit", "llvm-ir", "-O2"])
        #expect(llvm.standardOutput.contains("define") && llvm.standardOutput.contains("wasm32"))
    }

    @Test func reportsDiagnosticsAsJSON() throws {
        let bad = Fixtures.runefile(in: Fixtures.folder("diagnostics", "unknown-capability"))
        let result = try Executables.run("runec", [bad.path, "--json"])
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let diagnostics = object?["diagnostics"] as? [[String: Any]]
        #expect(object?["success"] as? Bool == false)
        #expect(diagnostics?.first?["code"] as? String == "E0200")
        #expect(diagnostics?.first?["line"] as? Int == 2)
    }

    @Test func inspectsARuneWithoutRunningIt() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("two.rune")
        let runefile = Fixtures.runefile(in: Fixtures.folder("runes", "two-raw-inputs"))
        #expect(try Executables.run("runec", [runefile.path, "-o", rune.path]).status == 0)
        let result = try Executables.run("rune", ["inspect", rune.path, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let manifest = object?["manifest"] as? [String: Any]
        let capabilities = manifest?["capabilities"] as? [[String: Any]]
        #expect(capabilities?.map { $0["name"] as? String } == ["bytes", "numbers"])
        let text = try Executables.run("rune", ["inspect", rune.path])
        #expect(text.standardOutput.contains("0 bytes: RAW -> U8[16]"))
        #expect(text.standardOutput.contains("custom \"rune.manifest\""))
    }

    @Test func refusesFilesThatAreNotRunes() throws {
        let notARune = Fixtures.runefile(in: noop)
        let result = try Executables.run("rune", ["run", notARune.path])
        #expect(result.status == 1)
        #expect(result.standardError == "error: not a valid rune: the file is not a WebAssembly module (it does not start with \\0asm)\n")
        let missing = try Executables.run("rune", ["run", "/nonexistent.rune"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("no such file"))
    }

    @Test func helpTeaches() throws {
        let runec = try Executables.run("runec", ["--help"])
        #expect(runec.status == 0)
        #expect(runec.standardOutput.contains("runec Runefile -o app.rune"))
        let run = try Executables.run("rune", ["run", "--help"])
        #expect(run.standardOutput.contains("--raw"))
    }

    /// Benchmarks repeat calls without printing each one, and time whole calls.
    @Test func repeatsQuietlyAndTimesWholeCalls() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune").path
        #expect(try Executables.run("runec", [noop.appendingPathComponent("Runefile").path, "-o", rune]).status == 0)
        let input = noop.appendingPathComponent("input.bin").path
        let every = try Executables.run("rune", ["run", rune, "--raw", input, "--repeat", "3"])
        let last = try Executables.run("rune", ["run", rune, "--raw", input, "--repeat", "3", "--last-output-only",
                                               "--timings", "--whole-call-timings"])
        #expect(every.status == 0 && last.status == 0)
        let lines = every.standardOutput.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(last.standardOutput == lines.last.map { $0 + "\n" })
        #expect(last.standardError.contains("call (3x)"))
        #expect(last.standardError.contains("calls total ms"))
        // Whole calls only: no row per stage (the AOT engine adds its native-code and
        // translation lines).
        let known = ["stage ", "call (", "calls total ms", "translation ms", "native code:"]
        let stageRows = last.standardError.split(separator: "\n").filter { line in !known.contains { line.hasPrefix($0) } }
        #expect(stageRows.isEmpty, "\(last.standardError)")
    }
}
