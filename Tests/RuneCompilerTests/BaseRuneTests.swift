import Foundation
import RuneCompiler
import RuneFiles
import RuneFrontEnd
import RuneManifest
import RuneRegistry
import RuneTestSupport
import Testing

/// What `FROM` reads from untrusted places: the `rune.sources` and `rune.lineage` sections of a
/// base rune, the reference written in a Runefile, and and what runec's provider serves from the pull cache.
@Suite struct BaseRuneTests {
    let sources = RuneSources(runefileName: "Runefile", runefile: Array("FROM runicos/base\n".utf8),
                              files: [.init(name: "./model.tflite", content: [1, 2, 3]), .init(name: "../x/block.c", content: [])])

    @Test func sourcesRoundTrip() throws {
        #expect(try RuneSources(decoding: sources.encoded()) == sources)
        let lineage = RuneLineage(reference: "localhost:5000/hotg/microspeech:1", manifestDigest: "sha256:" + String(repeating: "cd", count: 32),
                                  runeDigest: "sha256:" + String(repeating: "ab", count: 32))
        #expect(try RuneLineage(decoding: lineage.encoded()) == lineage)
        // Version 1 (the rune's digest only) is still read, with no manifest digest.
        let reference = Array("localhost:5000/a:1".utf8), digest = Array(("sha256:" + String(repeating: "ab", count: 32)).utf8)
        let version1 = Array("RLIN".utf8) + [1, UInt8(reference.count)] + reference + [UInt8(digest.count)] + digest
        #expect(try RuneLineage(decoding: version1) == RuneLineage(reference: "localhost:5000/a:1", manifestDigest: nil, runeDigest: String(decoding: digest, as: UTF8.self)))
        #expect(throws: ManifestError.self) { try RuneLineage(decoding: version1 + [0]) }
    }

    /// Every truncation and every single-byte change either decodes to something that
    /// re-encodes identically or throws; nothing traps.
    @Test func hostileSourcesAreRefusedOrExact() {
        let bytes = sources.encoded()
        for length in 0..<bytes.count {
            #expect(throws: ManifestError.self) { try RuneSources(decoding: bytes[0..<length]) }
        }
        var generator = SeededGenerator(seed: 13)
        for _ in 0..<2_000 {
            var mutated = bytes
            mutated[generator.below(mutated.count)] = UInt8(truncatingIfNeeded: generator.next())
            if let decoded = try? RuneSources(decoding: mutated) {
                #expect(decoded.encoded() == mutated)
            }
        }
    }

    @Test func sourcesLimitsAreChecked() {
        // A count over the limit, and a file claiming more bytes than the limit, before any allocation.
        var header = Array("RSRC".utf8) + [RuneSources.currentVersion, 8] + Array("Runefile".utf8) + [0]
        #expect(throws: ManifestError.self) { try RuneSources(decoding: header + [0xff, 0xff, 0x03]) }
        header = Array("RSRC".utf8) + [RuneSources.currentVersion, 8] + Array("Runefile".utf8)
        #expect(throws: ManifestError.self) { try RuneSources(decoding: header + [0xff, 0xff, 0xff, 0xff, 0x0f]) }
        // Names are unique, and the Runefile is named as a Runefile.
        let twice = RuneSources(runefileName: "Runefile", runefile: [], files: [.init(name: "a", content: []), .init(name: "a", content: [])])
        #expect(throws: ManifestError.self) { try RuneSources(decoding: twice.encoded()) }
        let misnamed = RuneSources(runefileName: "../../etc/passwd", runefile: [], files: [])
        #expect(throws: ManifestError.self) { try RuneSources(decoding: misnamed.encoded()) }
        let badDigest = RuneLineage(reference: "localhost:5000/a:1", manifestDigest: "sha256:XYZ", runeDigest: "sha256:" + String(repeating: "0", count: 64))
        #expect(throws: ManifestError.self) { try RuneLineage(decoding: badDigest.encoded()) }
    }

    /// The provider runec uses, offline: it serves what a pull left in the cache (manifest,
    /// config, rune), and a tag or blob that was tampered with is a miss, never a wrong rune.
    @Test func theCacheChecksWhatItServes() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = PullCache(folder: scratch.path)
        let provider = RegistryBaseRuneProvider(cache: cache)
        let reference = try ImageReference(parsing: "localhost:5000/hotg/microspeech:1")
        #expect(throws: BaseRuneError.self) { try provider.baseRune(for: reference, offline: true) }

        let rune: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
        let artifact = try RuneArtifact(rune: rune, runeManifest: Manifest(capabilities: [], outputs: [], models: [], memoryBytes: 0))
        try cache.store(rune: artifact.layer, config: artifact.config, manifest: artifact.manifest, for: reference)
        let found = try provider.baseRune(for: reference, offline: true)
        #expect(found.bytes == rune && found.runeDigest == artifact.layerDigest.description
            && found.manifestDigest == artifact.manifestDigest.description)
        let pinned = try ImageReference(parsing: "localhost:5000/hotg/microspeech@\(artifact.manifestDigest)")
        #expect(try provider.baseRune(for: pinned, offline: true).bytes == rune)

        // A tag that holds no digest, and a rune whose bytes changed, are refused.
        let tag = scratch.appendingPathComponent("refs/localhost:5000/hotg/microspeech/1")
        try Data("latest please".utf8).write(to: tag)
        #expect(throws: BaseRuneError.self) { try provider.baseRune(for: reference, offline: true) }
        try Data("\(artifact.manifestDigest)\n".utf8).write(to: tag)
        try Data(rune + [0]).write(to: URL(fileURLWithPath: cache.blobPath(artifact.layerDigest)))
        let error = #expect(throws: BaseRuneError.self) { try provider.baseRune(for: reference, offline: true) }
        #expect(error?.message.contains("not in the pull cache") == true, "\(error?.message ?? "")")
        #expect(error?.help?.contains("rune pull localhost:5000/hotg/microspeech:1") == true)
    }
}

/// Base runes whose stored sources are missing, malformed or inconsistent: each is refused at
/// the `FROM` with `E0405`, whatever its bytes say. The bases are WebAssembly modules written
/// into a real pull cache (as a pull leaves them) and served by runec's provider.
@Suite struct HostileBaseRuneTests {
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

    /// Compiles `FROM localhost:5000/t/base:1` plus `derived` against a cache holding `base`.
    private func derive(from base: [UInt8], _ derived: String = "") throws -> CompilationResult {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = PullCache(folder: scratch.path)
        let artifact = try RuneArtifact(rune: base, runeManifest: Manifest(capabilities: [], outputs: [], models: [], memoryBytes: 0))
        try cache.store(rune: artifact.layer, config: artifact.config, manifest: artifact.manifest,
                        for: ImageReference(parsing: "localhost:5000/t/base:1"))
        let provider = RegistryBaseRuneProvider(cache: cache)
        let file = SourceFile(path: scratch.appendingPathComponent("Runefile").path, text: "FROM localhost:5000/t/base:1\n" + derived)
        return Compiler(baseProvider: provider).compile(file, options: CompilerOptions(emit: .ir, offline: true))
    }

    private func module(_ sections: [(String, [UInt8])]) -> [UInt8] {
        sections.reduce(Self.header) { WasmCustomSection.append(name: $1.0, payload: $1.1, to: $0) }
    }

    private func sources(_ runefile: String, files: [RuneSources.File] = []) -> [UInt8] {
        RuneSources(runefileName: "Runefile", runefile: Array(runefile.utf8), files: files).encoded()
    }

    private func expectRefused(_ result: CompilationResult, saying words: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let error = result.diagnostics.first { $0.severity == .error }
        #expect(error?.code == .unknownBase, "\(result.diagnostics.map(\.message))", sourceLocation: sourceLocation)
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
        #expect(error?.range?.start.line == 1 && error?.range?.start.column == 6, sourceLocation: sourceLocation)
        #expect(result.artifact == nil, sourceLocation: sourceLocation)
    }

    @Test func aBaseWithoutSourcesIsRefused() throws {
        expectRefused(try derive(from: module([])), saying: "carries no Runefile")
        expectRefused(try derive(from: Array("not wasm at all".utf8)), saying: "is not a valid rune")
    }

    @Test func malformedOrInconsistentSourcesAreRefused() throws {
        expectRefused(try derive(from: module([(RuneSources.sectionName, [0x52, 0x53, 0x52, 0x43, 1, 0xff])])),
                      saying: "malformed stored sources")
        let missingModel = "FROM runicos/base\nCAPABILITY<F32[1]> x RAW\nMODEL<F32[1],F32[1]> m ./model.tflite\nOUT serial\nRUN x m serial\n"
        expectRefused(try derive(from: module([(RuneSources.sectionName, sources(missingModel))])),
                      saying: "does not store './model.tflite'")
        expectRefused(try derive(from: module([(RuneSources.sectionName, sources("FROM runicos/base\nBOGUS x\n"))])),
                      saying: "does not parse")
        let lineage = RuneLineage(reference: "localhost:5000/t/older:1", manifestDigest: "sha256:" + String(repeating: "1", count: 64),
                                  runeDigest: "sha256:" + String(repeating: "0", count: 64))
        expectRefused(try derive(from: module([(RuneSources.sectionName, sources("FROM runicos/base\n")),
                                               (RuneLineage.sectionName, lineage.encoded())])),
                      saying: "itself derived")
    }

    /// A base whose stored Runefile is sound composes, and the derived stage is checked with it.
    @Test func aSoundBaseComposes() throws {
        let base = module([(RuneSources.sectionName, sources("FROM runicos/base\nCAPABILITY<F32[4]> x RAW\nOUT serial\nRUN x serial\n"))])
        let result = try derive(from: base, "OUT serial copy\nRUN x copy\n")
        #expect(result.succeeded, "\(result.diagnostics.map(\.message))")
        let ir = String(decoding: result.artifact ?? [], as: UTF8.self)
        #expect(ir.contains("output copy SERIAL {} (%x)") && ir.contains("output serial SERIAL {} (%x)"), "\(ir)")
    }
}
