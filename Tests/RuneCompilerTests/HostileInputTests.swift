import Foundation
import RuneCompiler
import RuneManifest
import RuneTestSupport
import Testing

/// Inputs too large to commit, generated here: huge pipelines, YAML alias bombs, oversized and
/// special files. Each must compile or fail with the expected code, within a time bound (generous:
/// these run in debug builds), and never crash.
@Suite struct HostileInputTests {
    static let clock = ContinuousClock()

    /// Compiles `text` as the file `name` in a fresh folder and returns the result and the time.
    func compile(_ text: String, name: String = "Runefile", emit: EmitKind = .binary) throws -> (CompilationResult, Duration) {
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let start = Self.clock.now
        let result = Compiler().compile(path: path, options: CompilerOptions(emit: emit))
        return (result, Self.clock.now - start)
    }

    func errorCodes(_ result: CompilationResult) -> [String] {
        result.diagnostics.filter { $0.severity == .error }.map(\.code.rawValue)
    }

    // MARK: Large pipelines

    /// input -> b1 -> ... -> b9998 -> serial: 10,000 stages.
    static func chain(_ stages: Int) -> String {
        let blocks = (1...(stages - 2)).map { "b\($0)" }
        return "FROM runicos/base\nCAPABILITY<F32[4]> input RAW\n"
            + blocks.map { "PROC_BLOCK<F32[4],F32[4]> \($0) modulo\n" }.joined()
            + "OUT serial\nRUN input \(blocks.joined(separator: " ")) serial\n"
    }

    /// input feeds every block; the blocks fan in to outputs of 1,000 inputs each (the most a
    /// host accepts per output).
    static func fanIn(_ stages: Int) -> String {
        let outputCount = (stages - 1 + 1000) / 1001
        let blocks = (1...(stages - 1 - outputCount)).map { "b\($0)" }
        var text = "FROM runicos/base\nCAPABILITY<F32[4]> input RAW\n"
        text += blocks.map { "PROC_BLOCK<F32[4],F32[4]> \($0) modulo\n" }.joined()
        text += (0..<outputCount).map { "OUT serial out\($0)\n" }.joined()
        for (index, block) in blocks.enumerated() { text += "RUN input \(block) out\(index % outputCount)\n" }
        return text
    }

    /// Parsing, checking and generating C for 10,000 stages is linear: well under the bound
    /// even in a debug build (it overflowed the stack in a recursive topological sort).
    @Test(arguments: ["chain", "fan-in"])
    func generatesCForTenThousandStages(_ shape: String) throws {
        let (result, elapsed) = try compile(shape == "chain" ? Self.chain(10_000) : Self.fanIn(10_000), emit: .c)
        #expect(result.succeeded, "\(result.renderedDiagnostics().prefix(2000))")
        #expect(result.pipeline?.stages.count == 10_000)
        #expect(result.manifest?.outputs.count == (shape == "chain" ? 1 : 10))
        #expect(elapsed < .seconds(60), "took \(elapsed)")
    }

    /// The whole compile to a .rune. LLVM's -Os pipeline costs a few milliseconds of CPU per
    /// stage, so 10,000 stages take minutes in a debug build on a busy machine: opt in with
    /// RUNE_LARGE_PIPELINE_TESTS=1.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RUNE_LARGE_PIPELINE_TESTS"] == "1"),
          arguments: ["chain", "fan-in"])
    func compilesTenThousandStagesToARune(_ shape: String) throws {
        let (result, elapsed) = try compile(shape == "chain" ? Self.chain(10_000) : Self.fanIn(10_000))
        #expect(result.succeeded, "\(result.renderedDiagnostics().prefix(2000))")
        #expect(result.artifact != nil)
        #expect(elapsed < .seconds(600), "took \(elapsed)")
    }

    /// A smaller whole compile that always runs: a 300-stage chain reaches a .rune.
    @Test func compilesAThreeHundredStageChainToARune() throws {
        let (result, elapsed) = try compile(Self.chain(300))
        #expect(result.succeeded, "\(result.renderedDiagnostics().prefix(2000))")
        #expect(result.artifact != nil)
        #expect(elapsed < .seconds(120), "took \(elapsed)")
    }

    @Test func refusesAnOutputWithMoreInputsThanHostsAccept() throws {
        let blocks = (1...(RuneLimits.maxManifestEntries + 1)).map { "b\($0)" }
        let text = "FROM runicos/base\nCAPABILITY<F32[4]> input RAW\n"
            + blocks.map { "PROC_BLOCK<F32[4],F32[4]> \($0) modulo\nRUN input \($0) serial\n" }.joined() + "OUT serial\n"
        let (result, elapsed) = try compile(text, emit: .ir)
        #expect(errorCodes(result) == ["E0106"])
        #expect(elapsed < .seconds(30))
    }

    @Test func refusesMoreStagesThanTheLimit() throws {
        let count = RuneLimits.maxStages + 1
        let text = "FROM runicos/base\nCAPABILITY<F32[4]> input RAW\n"
            + (1..<count).map { "PROC_BLOCK<F32[4],F32[4]> b\($0) modulo\n" }.joined()
        let (result, elapsed) = try compile(text, emit: .ir)
        #expect(errorCodes(result) == ["E0106"])
        #expect(result.diagnostics.first?.range?.start.line == 2 + RuneLimits.maxStages)
        #expect(elapsed < .seconds(60), "took \(elapsed)")
    }

    @Test func refusesMoreCapabilitiesThanHostsAccept() throws {
        let names = (0...RuneLimits.maxCapabilities).map { "c\($0)" }
        let text = "FROM runicos/base\n" + names.map { "CAPABILITY<U8[4]> \($0) RAW\n" }.joined()
            + "OUT serial\n" + names.map { "RUN \($0) serial\n" }.joined()
        let (result, _) = try compile(text, emit: .ir)
        #expect(errorCodes(result).first == "E0106")
        #expect(result.diagnostics.first { $0.code.rawValue == "E0106" }?.range?.start.line == 2 + RuneLimits.maxCapabilities)
    }

    @Test func refusesAHugeStageName() throws {
        let name = "s" + String(repeating: "x", count: 200_000)
        let (result, elapsed) = try compile("FROM runicos/base\nCAPABILITY<I32[4]> \(name) RAW\nOUT serial\nRUN \(name) serial\n")
        #expect(errorCodes(result) == ["E0007"])
        #expect(result.artifact == nil)
        #expect(elapsed < .seconds(30))
    }

    @Test func refusesAnArgumentLongerThanHostsAccept() throws {
        let text = "FROM runicos/base\nCAPABILITY<U32[1]> input RAW\nPROC_BLOCK<U32[1],UTF8[1]> label label --labels="
            + String(repeating: "w", count: RuneLimits.maxStringBytes + 1) + "\nOUT serial\nRUN input label serial\n"
        let (result, _) = try compile(text, emit: .ir)
        #expect(errorCodes(result) == ["E0204"])
        #expect(result.diagnostics.first?.range?.start.line == 3)
    }

    // MARK: YAML

    @Test func refusesAnAliasBomb() throws {
        // 2,000 aliases to one 100 KB label: 200 MB once expanded.
        let label = String(repeating: "x", count: 100_000)
        let text = """
            version: 1
            image: runicos/base
            label: &label "\(label)"
            pipeline:
              input:
                capability: RAW
                outputs: [{type: U32, dimensions: [1]}]
              words:
                proc-block: label
                inputs: [input]
                args:
                  labels: [\(Array(repeating: "*label", count: 2000).joined(separator: ", "))]
              serial:
                out: serial
                inputs: [words]

            """
        let (result, elapsed) = try compile(text, name: "Runefile.yml")
        #expect(errorCodes(result) == ["E0003"])
        #expect(result.diagnostics.first?.range?.start.line == 12)
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test func refusesDeepNesting() throws {
        let text = "version: 1\nimage: runicos/base\npipeline: " + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "\n"
        let (result, elapsed) = try compile(text, name: "Runefile.yml")
        #expect(errorCodes(result) == ["E0003"])
        #expect(result.diagnostics.first?.range?.start.line == 3)
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    // MARK: Files

    @Test func refusesARunefileLargerThanTheLimit() throws {
        let text = "FROM runicos/base\n" + String(repeating: "# padding\n", count: RuneLimits.maxRunefileBytes / 10 + 1)
        let (result, elapsed) = try compile(text)
        #expect(errorCodes(result) == ["E0400"])
        #expect(result.diagnostics.first?.message.contains("larger than 4 MiB") == true)
        #expect(elapsed < .seconds(30))
    }

    @Test func refusesSpecialFilesAsTheRunefile() throws {
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("Runefile").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, "/dev/zero", folder.appendingPathComponent("Runefile.yml/").path] {
            let start = Self.clock.now
            let result = Compiler().compile(path: path)
            #expect(errorCodes(result) == ["E0400"], "\(path): \(result.renderedDiagnostics())")
            #expect(Self.clock.now - start < .seconds(10))
        }
        // A folder holding a FIFO named Runefile.
        let result = Compiler().compile(path: folder.path)
        #expect(result.diagnostics.first?.message.contains("FIFO") == true, "\(result.renderedDiagnostics())")
    }

    @Test func refusesSpecialFilesAsTheModel() throws {
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(mkfifo(folder.appendingPathComponent("fifo.tflite").path, 0o600) == 0)
        for model in ["./fifo.tflite", "/dev/zero"] {
            let runefile = folder.appendingPathComponent("Runefile")
            try "FROM runicos/base\nCAPABILITY<I8[4]> input RAW\nMODEL<I8[4],I8[4]> model \(model)\nOUT serial\nRUN input model serial\n"
                .write(to: runefile, atomically: true, encoding: .utf8)
            let start = Self.clock.now
            let result = Compiler().compile(path: runefile.path)
            #expect(errorCodes(result) == ["E0401"], "\(model): \(result.renderedDiagnostics())")
            #expect(result.diagnostics.first?.range?.start.line == 3)
            #expect(Self.clock.now - start < .seconds(10))
        }
    }
}
