import Foundation
import RuneAOT
import RuneManifest
import RuneTestSupport
import Testing

/// `runec --resource NAME=FILE`: the value of a Runefile.yml resource declared without `path` or
/// `inline`, given when the rune is built (the original Rune took it when the rune ran; runec
/// compiles models to code, so it cannot). The original project's `model-arguments-should-be-used`
/// Runefile is `Fixtures/runes/model-arguments-should-be-used`, which `RuneFixtureTests` builds
/// with `--resource MODEL=identity-i32.tflite` and runs; these are its error cases and `FROM`.
@Suite struct ResourceCommandLineTests {
    static let folder = Fixtures.root.appendingPathComponent("runes/model-arguments-should-be-used")
    static let model = folder.appendingPathComponent("identity-i32.tflite")

    /// `runec <the original Runefile> -o OUT ARGUMENTS` in the current folder `directory`.
    private func build(_ arguments: [String], to rune: URL, in directory: URL? = nil) throws -> Executables.Result {
        try Executables.run("runec", [Fixtures.runefile(in: Self.folder).path, "-o", rune.path] + arguments, in: directory)
    }

    /// runec's help teaches the flag and why it is not `rune run`'s; `rune run` has no such flag.
    @Test func helpExplainsBuildTimeResources() throws {
        let runec = try Executables.run("runec", ["build", "--help"])
        #expect(runec.status == 0)
        // Help is wrapped to the terminal's width.
        let help = runec.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--resource <name=file>"), "\(runec.standardOutput)")
        #expect(help.contains("runec compiles models and arguments to code"), "\(runec.standardOutput)")
        #expect(help.contains("'rune run' takes none"), "\(runec.standardOutput)")
        let run = try Executables.run("rune", ["run", "--help"])
        #expect(!run.standardOutput.contains("--resource"))
    }

    /// runec's stderr for a build with `flags` that must fail with status `status` and write
    /// nothing, run in `directory` (a scratch folder of its own when nil).
    private func refusal(_ flags: [String], status: Int32 = 1, in directory: URL? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        let result = try build(flags, to: rune, in: directory ?? scratch)
        #expect(result.status == status, "\(flags): \(result.standardError)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: rune.path), sourceLocation: sourceLocation)
        return result.standardError
    }

    /// Without the flag, the model has no value: a located E0403 whose help names the flag.
    @Test func aMissingResourceNamesTheFlag() throws {
        let stderr = try refusal([])
        #expect(stderr.contains("error[E0403]: resource '$MODEL' has no 'path'"), "\(stderr)")
        #expect(stderr.contains("model-arguments-should-be-used/Runefile.yml:12:12"), "\(stderr)")
        #expect(stderr.contains("runec --resource MODEL=FILE"), "\(stderr)")
    }

    /// A name the Runefile does not declare is an error listing the names it does.
    @Test func anUnknownNameIsRefused() throws {
        let stderr = try refusal(["--resource", "MODEL=\(Self.model.path)", "--resource", "MODLE=\(Self.model.path)"])
        #expect(stderr.contains("error[E0403]: --resource MODLE="), "\(stderr)")
        #expect(stderr.contains("the Runefile declares no resource 'MODLE'"), "\(stderr)")
        #expect(stderr.contains("it declares 'MODEL'"), "\(stderr)")
    }

    /// A file that is missing, a folder, or larger than a model may be is refused, bounded, with
    /// what is wrong and where the resource is declared.
    @Test func anUnreadableFileIsRefused() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let huge = scratch.appendingPathComponent("huge.tflite")
        #expect(FileManager.default.createFile(atPath: huge.path, contents: nil))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(RuneLimits.maxModelBytes + 1))  // sparse: no disk used
        try handle.close()
        let cases: [(file: String, says: String)] = [
            ("no-such.tflite", "no such file"),
            (scratch.path, "it is a folder"),
            (huge.path, "larger than"),
        ]
        for (file, says) in cases {
            let stderr = try refusal(["--resource", "MODEL=\(file)"], in: scratch)
            #expect(stderr.contains("--resource MODEL=\(file): cannot read"), "\(stderr)")
            #expect(stderr.contains(says), "\(stderr)")
            #expect(stderr.contains("model-arguments-should-be-used/Runefile.yml:28:3"), "\(stderr)")
        }
    }

    /// `--resource` without `=`, with an empty side, or twice for one name is a usage error (64).
    @Test func malformedFlagsAreUsageErrors() throws {
        for flags in [["--resource", "MODEL"], ["--resource", "=x.tflite"], ["--resource", "MODEL="],
                      ["--resource", "MODEL=\(Self.model.path)", "--resource", "MODEL=\(Self.model.path)"]] {
            let stderr = try refusal(flags, status: 64)
            #expect(stderr.contains("--resource"), "\(stderr)")
        }
    }

    /// A supplied file replaces an `inline` value: the microspeech labels, upper-cased.
    @Test func aSuppliedFileReplacesAnInlineValue() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let labels = scratch.appendingPathComponent("labels.txt")
        try Data("silence\nunknown\nUP\nDOWN\nLEFT\nRIGHT\n".utf8).write(to: labels)
        let folder = Fixtures.root.appendingPathComponent("runes/resources-in-proc-block-args")
        let rune = scratch.appendingPathComponent("app.rune")
        let build = try Executables.run("runec", [Fixtures.runefile(in: folder).path, "-o", rune.path, "--resource", "LABELS=\(labels.path)"])
        try #require(build.status == 0, "\(build.standardError)")
        let run = try Executables.run("rune", ["run", rune.path, "--sound", "up.wav"], in: folder)
        #expect(run.standardOutput == "{\"serial\":[{\"type\":\"utf8\",\"dimensions\":[1],\"elements\":[\"UP\"]}]}\n",
                "\(run.standardOutput)\(run.standardError)")
    }

    /// The supplied model is stored in `rune.sources` under `$MODEL`, so a rune built `FROM` it
    /// has the model without being given it again: a new output of the identity model prints
    /// what the capability produced.
    @Test func aFromBuildKeepsTheSuppliedModel() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let base = scratch.appendingPathComponent("base.rune")
        let built = try build(["--resource", "MODEL=\(Self.model.path)"], to: base)
        try #require(built.status == 0, "\(built.standardError)")
        let bytes = try Array(Data(contentsOf: base))
        let section = try #require(try AOTCompiler.customSection(named: RuneSources.sectionName, in: bytes))
        let stored = try RuneSources(decoding: section)
        #expect(stored.file(named: "$MODEL")?.content == Array(try Data(contentsOf: Self.model)))

        let reference = "localhost:5000/test/identity:1"
        let cache = try FromCompositionTests.cache(rune: bytes, as: reference, in: scratch)
        let runefile = scratch.appendingPathComponent("Runefile")
        try Data("FROM \(reference)\nOUT serial echoed\nRUN some_model echoed\n".utf8).write(to: runefile)
        let derived = scratch.appendingPathComponent("derived.rune")
        let build = try FromCompositionTests.derive(runefile, cache: cache.folder, to: derived)
        try #require(build.status == 0, "\(build.standardError)")
        let run = try Executables.run("rune", ["run", derived.path, "--random", "42"])
        try #require(run.status == 0, "\(run.standardError)")
        // One JSON object a line, one line an output.
        var elements: [String: [Int]] = [:]
        for line in run.standardOutput.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [[String: Any]]])
            for (output, tensors) in object { elements[output] = tensors.first?["elements"] as? [Int] }
        }
        let input = try #require(elements["serial"], "\(run.standardOutput)")
        let echoed = try #require(elements["echoed"], "\(run.standardOutput)")
        #expect(input.count == 4)
        #expect(echoed == input, "\(run.standardOutput)")
    }
}
