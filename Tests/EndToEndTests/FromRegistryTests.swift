import Foundation
import RuneTestSupport
import Testing

/// `FROM REGISTRY/REPO:TAG` over the network: the microspeech rune pushed with `rune push` to
/// Debian's docker-registry on a free loopback port, then a derived Runefile compiled by runec
/// with an empty pull cache (a real pull), run, and built again `--offline` once the registry is
/// gone.
@Suite(.enabled(if: RegistryServer.mustRun, "needs Debian's docker-registry (scripts/install-dependencies)"), .serialized,
       .timeLimit(.minutes(5)))
struct FromRegistryTests {
    static let word = Fixtures.root.appendingPathComponent("hotg/microspeech/data/up/84d1e469_nohash_0.wav")

    /// A config and cache folder of the test's own, so no login or cache of the user's is read.
    static func environment(_ scratch: URL) -> [String: String] {
        ["XDG_CONFIG_HOME": scratch.appendingPathComponent("config").path, "XDG_CACHE_HOME": scratch.appendingPathComponent("cache").path,
         "RUNE_REGISTRY_USERNAME": "", "RUNE_REGISTRY_PASSWORD": ""]
    }

    static func runefile(in scratch: URL, _ text: String) throws -> URL {
        let folder = scratch.appendingPathComponent("derived")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("Runefile")
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test func buildsOnAPushedRuneThenOfflineFromTheCache() throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let environment = Self.environment(scratch)
        let base = try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.root.appendingPathComponent("hotg/microspeech")))
        let reference = "localhost:\(server.port)/hotg/microspeech:1"
        let push = try Executables.run("rune", ["push", base.path, reference, "--insecure"], timeout: 120, environment: environment)
        try #require(push.status == 0, "\(push.standardError)")
        let manifestDigest = push.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)

        let runefile = try Self.runefile(in: scratch, """
            FROM \(reference)
            PROC_BLOCK label hotg-ai/rune#proc-blocks/label --labels=silence,unknown,HOCH,RUNTER,LINKS,RECHTS

            """)
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("cache/rune/oci").path))
        let rune = scratch.appendingPathComponent("derived.rune")
        let build = try Executables.run("runec", [runefile.path, "--insecure", "-o", rune.path], timeout: 300, environment: environment)
        try #require(build.status == 0, "\(build.standardError)")
        let run = try Executables.run("rune", ["run", rune.path, "--sound", Self.word.path])
        #expect(run.status == 0 && run.standardOutput.contains("\"elements\":[\"HOCH\"]"), "\(run.standardOutput)\(run.standardError)")
        let inspect = try Executables.run("rune", ["inspect", rune.path])
        #expect(inspect.standardOutput.contains("derived from: \(reference) (manifest \(manifestDigest), rune sha256:"), "\(inspect.standardOutput)")

        // The registry is gone: --offline builds the same rune from what the first build cached.
        server.stop()
        let offline = scratch.appendingPathComponent("offline.rune")
        let again = try Executables.run("runec", [runefile.path, "--offline", "-o", offline.path], timeout: 300, environment: environment)
        try #require(again.status == 0, "\(again.standardError)")
        let rerun = try Executables.run("rune", ["run", offline.path, "--sound", Self.word.path])
        #expect(rerun.standardOutput.contains("\"elements\":[\"HOCH\"]"), "\(rerun.standardOutput)\(rerun.standardError)")
        // Without --offline, the unreachable registry is an error at the FROM, and nothing is written.
        let unreachable = scratch.appendingPathComponent("unreachable.rune")
        let failed = try Executables.run("runec", [runefile.path, "--insecure", "-o", unreachable.path], timeout: 300, environment: environment)
        #expect(failed.status == 1 && failed.standardError.contains("error[E0405]"), "\(failed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: unreachable.path))
    }

    /// A base the registry does not have is E0405 at the FROM, naming the registry's error code.
    @Test func aBaseMissingFromTheRegistryNamesTheRegistrysErrorCode() throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runefile = try Self.runefile(in: scratch, "FROM localhost:\(server.port)/hotg/nothing:1\n")
        let rune = scratch.appendingPathComponent("nothing.rune")
        let build = try Executables.run("runec", [runefile.path, "--insecure", "-o", rune.path], timeout: 120, environment: Self.environment(scratch))
        #expect(build.status == 1)
        #expect(build.standardError.contains("error[E0405]") && build.standardError.contains("Runefile:1:6"), "\(build.standardError)")
        #expect(build.standardError.contains("NAME_UNKNOWN") || build.standardError.contains("MANIFEST_UNKNOWN"), "\(build.standardError)")
        #expect(!FileManager.default.fileExists(atPath: rune.path))
    }
}
