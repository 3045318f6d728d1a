import Foundation
import RuneFiles
import RuneTestSupport
import Testing

/// `FROM REGISTRY/REPO:TAG`: derived Runefiles built on a real compiled rune (the microspeech
/// example) placed in a temporary pull cache, compiled with `runec --offline` as a user would.
///
/// `Fixtures/from/<case>/`: a derived Runefile and `expected.stderr` (runec's diagnostics, empty
/// when it builds cleanly); with `run.args`, the rune is run and its output compared with
/// `expected.stdout`, and `rune inspect` must show the base it derives from.
@Suite struct FromCompositionTests {
    static let reference = "localhost:5000/hotg/microspeech:1"

    /// A pull cache holding the microspeech rune under `reference`, laid out as
    /// `OCICacheBaseRuneProvider` documents; returns the cache folder and the rune's digest.
    static func cache(in scratch: URL) throws -> (folder: URL, digest: String) {
        let base = try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.root.appendingPathComponent("hotg/microspeech")))
        let bytes = try Data(contentsOf: base)
        let hex = SHA256.hexHash(Array(bytes))
        let oci = scratch.appendingPathComponent("cache/rune/oci")
        let blobs = oci.appendingPathComponent("blobs/sha256")
        let refs = oci.appendingPathComponent("refs/localhost:5000/hotg/microspeech")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: refs, withIntermediateDirectories: true)
        try bytes.write(to: blobs.appendingPathComponent(hex))
        try Data("sha256:\(hex)\n".utf8).write(to: refs.appendingPathComponent("1"))
        return (scratch.appendingPathComponent("cache"), "sha256:\(hex)")
    }

    /// `runec RUNEFILE --offline -o RUNE` with the pull cache in `cache`.
    static func derive(_ runefile: URL, cache: URL, to rune: URL) throws -> Executables.Result {
        try Executables.run("runec", [runefile.path, "--offline", "-o", rune.path], environment: ["XDG_CACHE_HOME": cache.path])
    }

    @Test(arguments: Fixtures.cases("from"))
    func derivesFromTheCachedBase(_ name: String) throws {
        let folder = Fixtures.folder("from", name)
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (cache, digest) = try Self.cache(in: scratch)
        let rune = scratch.appendingPathComponent("\(name).rune")
        let build = try Self.derive(Fixtures.runefile(in: folder), cache: cache, to: rune)
        // The cache folder is the test's own; the golden calls it $CACHE.
        let diagnostics = Fixtures.relativize(build.standardError).replacingOccurrences(of: cache.path, with: "$CACHE")
        Fixtures.expect(diagnostics, matches: folder.appendingPathComponent("expected.stderr"))
        let runArguments = folder.appendingPathComponent("run.args")
        guard FileManager.default.fileExists(atPath: runArguments.path) else {
            #expect(build.status == 1, "a case without run.args must fail to compile")
            #expect(!FileManager.default.fileExists(atPath: rune.path))
            return
        }
        try #require(build.status == 0, "runec failed:\n\(build.standardError)")
        let arguments = try String(contentsOf: runArguments, encoding: .utf8).split(whereSeparator: \.isWhitespace).map(String.init)
        let run = try Executables.run("rune", ["run", rune.path] + arguments, in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        Fixtures.expect(run.standardOutput, matches: folder.appendingPathComponent("expected.stdout"))
        let inspect = try Executables.run("rune", ["inspect", rune.path])
        #expect(inspect.standardOutput.contains("derived from: \(Self.reference) (\(digest))"), "\(inspect.standardOutput)")
    }

    /// `@sha256:` reads the blob directly, with no ref.
    @Test func derivesFromADigest() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (cache, digest) = try Self.cache(in: scratch)
        let runefile = scratch.appendingPathComponent("Runefile")
        try Data("FROM localhost:5000/hotg/microspeech@\(digest)\nPROC_BLOCK label hotg-ai/rune#proc-blocks/label --labels=s,u,Up,Down,Left,Right\n".utf8)
            .write(to: runefile)
        let rune = scratch.appendingPathComponent("pinned.rune")
        let build = try Self.derive(runefile, cache: cache, to: rune)
        try #require(build.status == 0, "\(build.standardError)")
        let wav = Fixtures.root.appendingPathComponent("hotg/microspeech/data/up/84d1e469_nohash_0.wav")
        let run = try Executables.run("rune", ["run", rune.path, "--sound", wav.path])
        #expect(run.standardOutput.contains("\"elements\":[\"Up\"]"), "\(run.standardOutput)\(run.standardError)")
    }

    /// A blob whose bytes no longer match its name is refused at the FROM, and nothing is written.
    @Test func refusesATamperedBase() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (cache, digest) = try Self.cache(in: scratch)
        let blob = cache.appendingPathComponent("rune/oci/blobs/sha256/\(digest.dropFirst(7))")
        var bytes = try Data(contentsOf: blob)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: blob)
        let rune = scratch.appendingPathComponent("app.rune")
        let build = try Self.derive(Fixtures.runefile(in: Fixtures.folder("from", "new-labels")), cache: cache, to: rune)
        #expect(build.status == 1)
        #expect(build.standardError.contains("error[E0405]"))
        #expect(build.standardError.contains("the cache is damaged"))
        #expect(build.standardError.contains("Runefile:2:6"))
        #expect(!FileManager.default.fileExists(atPath: rune.path))
    }
}
