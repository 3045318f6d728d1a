import Foundation
import RuneTestSupport
import Testing

/// The AOT engine against the interpreter: every rune fixture and every original example prints
/// byte-identical stdout (and exits with the same status) on `--engine aot` and
/// `--engine interpreter`.
@Suite struct EngineDifferentialTests {
    struct Outcome: Equatable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func runBoth(_ rune: URL, _ arguments: [String], in folder: URL) throws -> (interpreter: Outcome, aot: Outcome) {
        var outcomes: [Outcome] = []
        for engine in ["interpreter", "aot"] {
            // Debug builds interpret person_detection for longer than the default timeout.
            let run = try Executables.run("rune", ["run", rune.path, "--engine", engine, "--timeout", "10m"] + arguments,
                                          in: folder)
            outcomes.append(Outcome(status: run.status, standardOutput: run.standardOutput, standardError: run.standardError))
        }
        return (outcomes[0], outcomes[1])
    }

    @Test(arguments: Fixtures.cases("runes"))
    func runeFixturePrintsTheSameOnBothEngines(_ name: String) throws {
        let folder = Fixtures.folder("runes", name)
        let rune = try BuiltRunes.rune(Fixtures.runefile(in: folder))
        let arguments = Fixtures.arguments(folder.appendingPathComponent("run.args"))
        let (interpreter, aot) = try Self.runBoth(rune, arguments, in: folder)
        #expect(aot.standardOutput == interpreter.standardOutput)
        #expect(aot.status == interpreter.status)
        #expect(aot.standardError == interpreter.standardError)
    }

    @Test(arguments: ExampleTests.cases)
    func examplePrintsTheSameOnBothEngines(_ testCase: ExampleTests.Case) throws {
        let folder = Fixtures.folder("hotg", testCase.example)
        let (typed, _) = try ExampleTests.runes(testCase.example)
        let arguments = testCase.example == "sine" ? ["--raw", "rand=input.bin"] : testCase.args
        let (interpreter, aot) = try Self.runBoth(typed, arguments, in: folder)
        try #require(interpreter.status == 0, "stderr:\n\(interpreter.standardError)")
        #expect(aot.status == 0, "stderr:\n\(aot.standardError)")
        #expect(aot.standardOutput == interpreter.standardOutput)
        #expect(!aot.standardOutput.isEmpty)
    }
}
