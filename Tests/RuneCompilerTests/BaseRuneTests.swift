import Foundation
import RuneCompiler
import RuneFiles
import RuneFrontEnd
import RuneManifest
import RuneTestSupport
import Testing

/// What `FROM` reads from untrusted places: the `rune.sources` and `rune.lineage` sections of a
/// base rune, the reference written in a Runefile, and the files of the pull cache.
@Suite struct BaseRuneTests {
    let sources = RuneSources(runefileName: "Runefile", runefile: Array("FROM runicos/base\n".utf8),
                              files: [.init(name: "./model.tflite", content: [1, 2, 3]), .init(name: "../x/block.c", content: [])])

    @Test func sourcesRoundTrip() throws {
        #expect(try RuneSources(decoding: sources.encoded()) == sources)
        let lineage = RuneLineage(reference: "localhost:5000/hotg/microspeech:1", digest: "sha256:" + String(repeating: "ab", count: 32))
        #expect(try RuneLineage(decoding: lineage.encoded()) == lineage)
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
        let badDigest = RuneLineage(reference: "localhost:5000/a:1", digest: "sha256:XYZ")
        #expect(throws: ManifestError.self) { try RuneLineage(decoding: badDigest.encoded()) }
    }

    @Test func registryReferencesFollowDockersFirstComponentRule() throws {
        #expect(BaseReference.isRegistryReference("localhost:5000/hotg/microspeech:1"))
        #expect(BaseReference.isRegistryReference("localhost/hotg/microspeech"))
        #expect(BaseReference.isRegistryReference("registry.example.com/hotg/microspeech"))
        #expect(!BaseReference.isRegistryReference("runicos/base"))
        #expect(!BaseReference.isRegistryReference("asdf"))
        let tagged = try #require(BaseReference("localhost:5000/hotg/microspeech:1"))
        #expect(tagged.host == "localhost:5000" && tagged.repository == "hotg/microspeech" && tagged.tag == "1" && tagged.digest == nil)
        let digest = "sha256:" + String(repeating: "0", count: 64)
        let pinned = try #require(BaseReference("example.com/a/b@\(digest)"))
        #expect(pinned.digest == digest && pinned.tag == nil && pinned.repository == "a/b")
        #expect(BaseReference("example.com/a/b")?.tag == "latest")
        for bad in ["localhost:5000/../x:1", "localhost:5000/a//b:1", "localhost:5000/a/b:", "localhost:5000/A/b:1",
                    "localhost:5000/a/b@sha256:00", "localhost:5000/a/b:t/../../x"] {
            #expect(BaseReference(bad) == nil, "\(bad)")
        }
    }

    @Test func theCacheChecksWhatItServes() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let provider = OCICacheBaseRuneProvider(folder: scratch.path)
        let reference = try #require(BaseReference("localhost:5000/hotg/microspeech:1"))
        #expect(throws: BaseRuneError.self) { try provider.baseRune(for: reference, offline: true) }

        let rune: [UInt8] = Array("\0asm not really a rune".utf8)
        let digest = "sha256:" + SHA256.hexHash(rune)
        let blob = provider.blobPath(digest)
        let ref = provider.refPath(host: reference.host, repository: reference.repository, tag: "1")
        try FileManager.default.createDirectory(atPath: (blob as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: (ref as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(rune).write(to: URL(fileURLWithPath: blob))
        try Data((digest + "\n").utf8).write(to: URL(fileURLWithPath: ref))
        let found = try provider.baseRune(for: reference, offline: true)
        #expect(found.bytes == rune && found.digest == digest)

        // A ref that holds no digest, and a blob whose bytes changed, are refused.
        try Data("latest please".utf8).write(to: URL(fileURLWithPath: ref))
        #expect(throws: BaseRuneError.self) { try provider.baseRune(for: reference, offline: true) }
        try Data((digest + "\n").utf8).write(to: URL(fileURLWithPath: ref))
        try Data(rune + [0]).write(to: URL(fileURLWithPath: blob))
        let error = #expect(throws: BaseRuneError.self) { try provider.baseRune(for: reference, offline: true) }
        #expect(error?.message.contains("the cache is damaged") == true)
    }
}

/// Base runes whose stored sources are missing, malformed or inconsistent: each is refused at
/// the `FROM` with `E0405`, whatever its bytes say. The bases are WebAssembly modules written
/// into a real pull cache folder and read by the real cache provider.
@Suite struct HostileBaseRuneTests {
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

    /// Compiles `FROM localhost:5000/t/base:1` plus `derived` against a cache holding `base`.
    private func derive(from base: [UInt8], _ derived: String = "") throws -> CompilationResult {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let provider = OCICacheBaseRuneProvider(folder: scratch.path)
        let digest = "sha256:" + SHA256.hexHash(base)
        let blob = provider.blobPath(digest)
        let ref = provider.refPath(host: "localhost:5000", repository: "t/base", tag: "1")
        for path in [blob, ref] {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        try Data(base).write(to: URL(fileURLWithPath: blob))
        try Data(digest.utf8).write(to: URL(fileURLWithPath: ref))
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
        let lineage = RuneLineage(reference: "localhost:5000/t/older:1", digest: "sha256:" + String(repeating: "0", count: 64))
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
