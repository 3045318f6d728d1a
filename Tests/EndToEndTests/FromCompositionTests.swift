import Foundation
import RuneFiles
import RuneManifest
import RuneRegistry
import RuneRuntime
import RuneTestSupport
import Testing

/// `FROM REGISTRY/REPO:TAG`: derived Runefiles built on a real compiled rune (the microspeech
/// example) placed in a temporary pull cache as `rune pull` leaves it, compiled with
/// `runec --offline` as a user would.
///
/// `Fixtures/from/<case>/`: a derived Runefile and `expected.stderr` (runec's diagnostics, empty
/// when it builds cleanly); with `run.args`, the rune is run and its output compared with
/// `expected.stdout`, and `rune inspect` must show the base it derives from.
@Suite struct FromCompositionTests {
    static let reference = "localhost:5000/hotg/microspeech:1"

    /// A pull cache holding the microspeech rune under `reference` as `rune pull` leaves it
    /// (manifest, config and rune blobs, and the tag), through `PullCache`; returns the cache
    /// folder, the manifest's digest and the rune's.
    static func cache(in scratch: URL) throws -> (folder: URL, manifestDigest: String, runeDigest: String) {
        let base = try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.root.appendingPathComponent("hotg/microspeech")))
        return try cache(rune: Array(Data(contentsOf: base)), as: reference, in: scratch)
    }

    /// A pull cache in `scratch` holding `bytes` under `reference`, as `rune pull` leaves it.
    static func cache(rune bytes: [UInt8], as reference: String,
                      in scratch: URL) throws -> (folder: URL, manifestDigest: String, runeDigest: String) {
        let artifact = try RuneArtifact(rune: bytes, runeManifest: Rune(bytes: bytes).manifest)
        let folder = scratch.appendingPathComponent("cache")
        try PullCache(folder: folder.appendingPathComponent("rune/oci").path)
            .store(rune: artifact.layer, config: artifact.config, manifest: artifact.manifest, for: ImageReference(parsing: reference))
        return (folder, artifact.manifestDigest.description, artifact.layerDigest.description)
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
        let (cache, manifestDigest, runeDigest) = try Self.cache(in: scratch)
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
        #expect(inspect.standardOutput.contains("derived from: \(Self.reference) (manifest \(manifestDigest), rune \(runeDigest))"),
                "\(inspect.standardOutput)")
    }

    /// `@sha256:` names the manifest, read directly with no tag.
    @Test func derivesFromADigest() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (cache, digest, _) = try Self.cache(in: scratch)
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

    /// A rune blob whose bytes no longer match its name is refused at the FROM, and nothing is written.
    @Test func refusesATamperedBase() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (cache, _, digest) = try Self.cache(in: scratch)
        let blob = cache.appendingPathComponent("rune/oci/blobs/sha256/\(digest.dropFirst(7))")
        var bytes = try Data(contentsOf: blob)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: blob)
        let rune = scratch.appendingPathComponent("app.rune")
        let build = try Self.derive(Fixtures.runefile(in: Fixtures.folder("from", "new-labels")), cache: cache, to: rune)
        #expect(build.status == 1)
        #expect(build.standardError.contains("error[E0405]"))
        #expect(build.standardError.contains("is not in the pull cache"))
        #expect(build.standardError.contains("Runefile:2:6"))
        #expect(!FileManager.default.fileExists(atPath: rune.path))
    }

    /// A rune built with --no-sources is about half the size, and cannot be a base: the error says why.
    @Test func aRuneWithoutSourcesIsSmallerAndNoBase() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let microspeech = Fixtures.root.appendingPathComponent("hotg/microspeech")
        let bare = scratch.appendingPathComponent("bare.rune")
        let build = try Executables.run("runec", [microspeech.path, "--no-sources", "-o", bare.path])
        try #require(build.status == 0, "\(build.standardError)")
        let bytes = try Array(Data(contentsOf: bare))
        let full = try Data(contentsOf: BuiltRunes.rune(Fixtures.runefile(in: microspeech)))
        #expect(bytes.count < full.count * 3 / 4, "\(bytes.count) bytes without sources, \(full.count) with")
        let cache = try Self.cache(rune: bytes, as: Self.reference, in: scratch)
        let rune = scratch.appendingPathComponent("derived.rune")
        let derived = try Self.derive(Fixtures.runefile(in: Fixtures.folder("from", "new-labels")), cache: cache.folder, to: rune)
        #expect(derived.status == 1)
        #expect(derived.standardError.contains("error[E0405]") && derived.standardError.contains("built with 'runec --no-sources'"),
                "\(derived.standardError)")
        #expect(!FileManager.default.fileExists(atPath: rune.path))
    }
}
