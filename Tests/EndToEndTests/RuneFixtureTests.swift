import Foundation
import RuneTestSupport
import Testing

/// `Fixtures/runes/<case>/`: a Runefile, input files, `run.args` (the `rune run` flags after the
/// rune's path, resolved in the case folder), and `expected.stdout`; optionally
/// `expected.stderr` and `expected.status` (default 0), and `build.args` (more `runec` flags,
/// resolved in the case folder) with `build.stderr` (runec's warnings).
///
/// Each case is compiled with `runec` and run with `rune`, as a user would.
@Suite struct RuneFixtureTests {
    @Test(arguments: Fixtures.cases("runes"))
    func runsToTheGoldenOutput(_ name: String) throws {
        let folder = Fixtures.folder("runes", name)
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("\(name).rune")

        let build = try Executables.run("runec", [Fixtures.runefile(in: folder).path, "-o", rune.path]
                                            + Fixtures.arguments(folder.appendingPathComponent("build.args")), in: folder)
        try #require(build.status == 0, "runec failed:\n\(build.standardError)")
        let buildStderr = folder.appendingPathComponent("build.stderr")
        if FileManager.default.fileExists(atPath: buildStderr.path) {
            Fixtures.expect(Fixtures.relativize(build.standardError), matches: buildStderr)
        }

        let arguments = Fixtures.arguments(folder.appendingPathComponent("run.args"))
        let run = try Executables.run("rune", ["run", rune.path] + arguments, in: folder)

        let expectedStatus = (try? String(contentsOf: folder.appendingPathComponent("expected.status"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(run.status == expectedStatus, "stderr:\n\(run.standardError)")
        Fixtures.expect(run.standardOutput, matches: folder.appendingPathComponent("expected.stdout"))
        let stderrFile = folder.appendingPathComponent("expected.stderr")
        if expectedStatus != 0 || FileManager.default.fileExists(atPath: stderrFile.path) {
            Fixtures.expect(run.standardError, matches: stderrFile)
        }
    }
}
