import Foundation
import RuneManifest
import RuneRegistry
import RuneTestSupport
import Testing

/// `rune push` and `rune pull` against Debian's docker-registry over plain HTTP on 127.0.0.1,
/// and skopeo reading what we pushed.
@Suite(.enabled(if: RegistryServer.mustRun, "needs Debian's docker-registry (scripts/install-dependencies)"), .serialized,
       .timeLimit(.minutes(5)))
struct RegistryPushPullTests {
    static func sineRune() throws -> URL {
        try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.folder("hotg", "sine")))
    }

    /// Runs `rune` with a config folder of its own, so no login of the user's is read.
    static func rune(_ arguments: [String], config: URL, cache: URL? = nil, environment: [String: String] = [:]) throws -> Executables.Result {
        var environment = environment
        environment["XDG_CONFIG_HOME"] = config.path
        if let cache { environment["XDG_CACHE_HOME"] = cache.path }
        environment["RUNE_REGISTRY_USERNAME"] = environment["RUNE_REGISTRY_USERNAME"] ?? ""
        environment["RUNE_REGISTRY_PASSWORD"] = environment["RUNE_REGISTRY_PASSWORD"] ?? ""
        return try Executables.run("rune", arguments, timeout: 120, environment: environment)
    }

    /// Pushes the sine rune to `server` as `hotg/sine:1`; its file and manifest digest.
    static func pushSine(to server: RegistryServer, config: URL) throws -> (rune: URL, digest: String) {
        let runeFile = try sineRune()
        let push = try rune(["push", runeFile.path, "\(server.address)/hotg/sine:1", "--insecure"], config: config)
        try #require(push.status == 0, "\(push.standardError)")
        return (runeFile, push.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    @Test func pushThenPullByTagAndDigestAndAgainWithoutUploads() throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runeFile = try Self.sineRune()
        let original = try Data(contentsOf: runeFile)
        let tagged = "\(server.address)/hotg/sine:1"

        let push = try Self.rune(["push", runeFile.path, tagged, "--insecure", "--json"], config: scratch)
        try #require(push.status == 0, "\(push.standardError)")
        let pushed = try Self.json(push.standardOutput)
        let digest = try #require(pushed["digest"] as? String)
        #expect(ContentDigest(parsing: digest) != nil)
        #expect(pushed["uploaded_blobs"] as? Int == 2)
        #expect(pushed["existing_blobs"] as? Int == 0)
        #expect(server.uploadsStarted() == 2)

        let byTag = scratch.appendingPathComponent("by-tag.rune")
        let pullTag = try Self.rune(["pull", tagged, "-o", byTag.path, "--insecure"], config: scratch)
        try #require(pullTag.status == 0, "\(pullTag.standardError)")
        #expect(pullTag.standardOutput == digest + "\n")
        #expect(try Data(contentsOf: byTag) == original)

        let byDigest = scratch.appendingPathComponent("by-digest.rune")
        let pullDigest = try Self.rune(["pull", "\(server.address)/hotg/sine@\(digest)", "-o", byDigest.path, "--insecure"], config: scratch)
        try #require(pullDigest.status == 0, "\(pullDigest.standardError)")
        #expect(try Data(contentsOf: byDigest) == original)

        // The same rune again, to another tag too: the registry has both blobs, so none is sent.
        for target in [tagged, "\(server.address)/hotg/sine:again"] {
            let again = try Self.rune(["push", runeFile.path, target, "--insecure", "--json"], config: scratch)
            try #require(again.status == 0, "\(again.standardError)")
            let report = try Self.json(again.standardOutput)
            #expect(report["digest"] as? String == digest)
            #expect(report["uploaded_blobs"] as? Int == 0)
            #expect(report["existing_blobs"] as? Int == 2)
        }
        #expect(server.uploadsStarted() == 2, "the registry saw new uploads:\n\(server.log())")
    }

    @Test func skopeoReadsOurManifestWithTheWasmMediaTypes() throws {
        let skopeo = try #require(Executables.system("skopeo"), "skopeo is not installed; scripts/install-dependencies installs it")
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let digest = try Self.pushSine(to: server, config: scratch).digest

        let inspect = try Executables.run(executable: skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(server.address)/hotg/sine:1"],
                                          timeout: 60)
        try #require(inspect.status == 0, "\(inspect.standardError)")
        #expect(ContentDigest(of: Array(inspect.standardOutput.utf8)).description == digest)
        let manifest = try Self.json(inspect.standardOutput)
        #expect(manifest["schemaVersion"] as? Int == 2)
        #expect(manifest["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        #expect(manifest["artifactType"] as? String == "application/vnd.wasm.config.v0+json")
        let config = try #require(manifest["config"] as? [String: Any])
        #expect(config["mediaType"] as? String == "application/vnd.wasm.config.v0+json")
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        #expect(layers.first?["mediaType"] as? String == "application/wasm")
        #expect(layers.first?["size"] as? Int == (try Data(contentsOf: try Self.sineRune())).count)
        let annotations = try #require(manifest["annotations"] as? [String: String])
        let capabilities = try #require(annotations["dev.rune.capabilities"])
        #expect(capabilities.contains("\"kind\":\"RAW\"") || capabilities.contains("\"kind\":\"RAND\""), "\(capabilities)")
        #expect(annotations["dev.rune.models"]?.contains("\"inputs\":[\"F32[1]\"]") == true, "\(annotations)")
        #expect(annotations["dev.rune.outputs"]?.contains("SERIAL") == true, "\(annotations)")

        // skopeo reads the config blob too: a wasm config naming our one layer.
        let configBlob = try Executables.run(executable: skopeo, ["inspect", "--raw", "--config", "--tls-verify=false",
                                                                  "docker://\(server.address)/hotg/sine:1"], timeout: 60)
        try #require(configBlob.status == 0, "\(configBlob.standardError)")
        let wasmConfig = try Self.json(configBlob.standardOutput)
        #expect(wasmConfig["architecture"] as? String == "wasm")
        #expect(wasmConfig["layerDigests"] as? [String] == [try #require(layers.first?["digest"] as? String)])
    }

    @Test func tamperedBlobFailsTheDigestCheck() throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runeFile = try Self.pushSine(to: server, config: scratch).rune
        let layerDigest = ContentDigest(of: Array(try Data(contentsOf: runeFile))).description

        // One byte flipped in the registry's own storage, same size: only the digest can tell.
        let stored = server.blobFile(layerDigest)
        var bytes = try Data(contentsOf: stored)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: stored)

        let output = scratch.appendingPathComponent("tampered.rune")
        let pull = try Self.rune(["pull", "\(server.address)/hotg/sine:1", "-o", output.path, "--insecure"], config: scratch,
                                 cache: scratch.appendingPathComponent("cache"))
        #expect(pull.status == 1)
        #expect(pull.standardError.contains("digest mismatch"), "\(pull.standardError)")
        #expect(pull.standardError.contains(layerDigest), "\(pull.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path), "a refused pull left an output file")
        // Nothing unverified reached the cache either.
        let cache = PullCache(folder: scratch.appendingPathComponent("cache/rune/oci").path)
        #expect(cache.blob(try #require(ContentDigest(parsing: layerDigest)), limit: RuneLimits.maxRuneBytes) == nil)
    }

    @Test func registryErrorsAndRefusalsAreClear() throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("x.rune")

        let unknown = try Self.rune(["pull", "\(server.address)/nothing/here:1", "-o", output.path, "--insecure"], config: scratch)
        #expect(unknown.status == 1)
        #expect(unknown.standardError.contains("404"), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("NAME_UNKNOWN") || unknown.standardError.contains("MANIFEST_UNKNOWN"), "\(unknown.standardError)")

        let remote = try Self.rune(["pull", "registry.example.com/a:1", "-o", output.path, "--insecure"], config: scratch)
        #expect(remote.status == 1)
        #expect(remote.standardError.contains("--allow-insecure-remote"), "\(remote.standardError)")

        let bare = try Self.rune(["pull", "runicos/base", "-o", output.path], config: scratch)
        #expect(bare.status == 1)
        #expect(bare.standardError.contains("names no registry"), "\(bare.standardError)")

        // Plain HTTPS against a plain-HTTP registry fails with a hint, not a hang.
        let https = try Self.rune(["pull", "\(server.address)/a:1", "-o", output.path], config: scratch)
        #expect(https.status == 1)
        #expect(https.standardError.contains("cannot reach registry"), "\(https.standardError)")
        #expect(https.standardError.contains("does not speak TLS there") && https.standardError.contains("--insecure"), "\(https.standardError)")

        // -o onto a folder or a foreign file is refused before anything is replaced.
        _ = try Self.pushSine(to: server, config: scratch)
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let intoFolder = try Self.rune(["pull", "\(server.address)/hotg/sine:1", "-o", folder.path, "--insecure"], config: scratch)
        #expect(intoFolder.status == 1)
        #expect(intoFolder.standardError.contains("a folder"), "\(intoFolder.standardError)")
        let foreign = scratch.appendingPathComponent("notes.txt")
        try "my notes".write(to: foreign, atomically: true, encoding: .utf8)
        let overForeign = try Self.rune(["pull", "\(server.address)/hotg/sine:1", "-o", foreign.path, "--insecure"], config: scratch)
        #expect(overForeign.status == 1)
        #expect(try String(contentsOf: foreign, encoding: .utf8) == "my notes")

        // Something that is not a rune is not pushed.
        let notRune = scratch.appendingPathComponent("not.rune")
        try Data("hello".utf8).write(to: notRune)
        let pushJunk = try Self.rune(["push", notRune.path, "\(server.address)/junk:1", "--insecure"], config: scratch)
        #expect(pushJunk.status == 1)
        #expect(pushJunk.standardError.contains("is not a rune"), "\(pushJunk.standardError)")
    }

    /// The API `FROM` uses: a blocking pull from a synchronous thread fills the cache, and the
    /// offline lookup then answers by tag and by digest with the registry gone.
    @Test func blockingPullFillsTheCacheForOfflineLookups() async throws {
        let server = try RegistryServer()
        defer { server.stop() }
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (runeFile, digest) = try Self.pushSine(to: server, config: scratch)
        let cache = PullCache(folder: scratch.appendingPathComponent("oci").path)
        let reference = try ImageReference(parsing: "\(server.address)/hotg/sine:1")

        let pulled = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PulledRune, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try RegistryClient.pullRuneBlocking(reference, options: .init(insecure: true), credentials: { _ in nil }, cache: cache)
                })
            }
        }
        server.stop()
        let original = Array(try Data(contentsOf: runeFile))
        #expect(pulled.bytes == original)
        #expect(pulled.manifestDigest.description == digest)
        #expect(!pulled.fromCache)

        let offlineTag = try #require(try RegistryClient.pullRuneBlocking(reference, cache: cache, offline: true))
        #expect(offlineTag.bytes == original)
        #expect(offlineTag.fromCache)
        let byDigest = try ImageReference(parsing: "\(server.address)/hotg/sine@\(digest)")
        #expect(cache.lookup(byDigest)?.bytes == original)
        #expect(cache.lookup(try ImageReference(parsing: "\(server.address)/hotg/sine:2")) == nil)
        #expect(throws: RegistryError.self) {
            try RegistryClient.pullRuneBlocking(try ImageReference(parsing: "\(server.address)/other:1"), cache: cache, offline: true)
        }

        // A damaged cache entry is a miss, never a wrong rune.
        let layer = cache.blobPath(pulled.layerDigest)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: layer))
        bytes[0] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: layer))
        #expect(cache.lookup(reference) == nil)
    }
}
