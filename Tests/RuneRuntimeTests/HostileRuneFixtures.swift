import Foundation
import RuneManifest
import RuneTestSupport
import Testing
import WAT

/// `Fixtures/hostile/runes/<case>/` and `Fixtures/hostile/inputs/<case>/`: runes and inputs
/// built to break the host. Each case has
///
/// - `manifest.json`: the crafted manifest (see ``CraftedManifest``), stored in the rune's
///   `rune.manifest` section and where `_manifest()` points;
/// - `rune.wat` (optional; `Fixtures/hostile/default.wat` otherwise): the module, in which
///   `$MANIFEST` stands for the manifest's bytes (a little-endian length, then the blob);
/// - `run.args`: the `rune run` flags after the rune's path, resolved in the case folder;
///   `$GENERATED` is a scratch folder that ``generated`` fills for cases whose inputs are too
///   big to commit (or are FIFOs);
/// - `expected.stderr`, `expected.status` and optionally `expected.stdout`.
///
/// The rune is run as a subprocess, as a user runs it, and must end within a bound, with the
/// expected status, without a signal, saying what is expected.
@Suite struct HostileRuneFixtureTests {
    /// How long any case may take (a debug build on a busy machine); a hang fails here.
    static let bound = 30.0

    @Test(arguments: Fixtures.cases("hostile/runes"))
    func hostileRune(_ name: String) throws {
        try check(area: "hostile/runes", name)
    }

    @Test(arguments: Fixtures.cases("hostile/inputs"))
    func hostileInput(_ name: String) throws {
        try check(area: "hostile/inputs", name)
    }

    /// The AOT engine keeps the same limits and refuses the same runes with the same words.
    @Test(arguments: Fixtures.cases("hostile/runes"))
    func hostileRuneOnTheAOTEngine(_ name: String) throws {
        try check(area: "hostile/runes", name, engine: ["--engine", "aot"])
    }

    /// Inputs written at test time: big files, and things that are not files.
    static let generated: [String: @Sendable (URL) throws -> Void] = [
        "wav-10-minutes": { folder in
            // Ten minutes at 48 kHz, 16-bit mono (55 MB): only the first second is used.
            let frames = 48_000 * 600
            var samples = [UInt8](repeating: 0, count: frames * 2)
            for index in stride(from: 0, to: frames, by: 1) {
                let value = Int16(truncatingIfNeeded: (index * 37) % 20000 - 10000)
                samples[index * 2] = UInt8(truncatingIfNeeded: value)
                samples[index * 2 + 1] = UInt8(truncatingIfNeeded: value >> 8)
            }
            try Data(WAV.header(rate: 48_000, channels: 1, bits: 16, dataBytes: samples.count) + samples)
                .write(to: folder.appendingPathComponent("long.wav"))
        },
        "raw-fifo": { folder in
            #expect(mkfifo(folder.appendingPathComponent("fifo").path, 0o600) == 0)
        },
        "png-16777216x4": { folder in
            // The 65 KB file of the report: a header declaring 16,777,216 x 4 RGB pixels, then data.
            var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            png += PNG.chunk("IHDR", PNG.be32(16_777_216) + PNG.be32(4) + [8, 2, 0, 0, 0])
            png += PNG.chunk("IDAT", [UInt8](repeating: 0, count: 65_000))
            png += PNG.chunk("IEND", [])
            try Data(png).write(to: folder.appendingPathComponent("huge.png"))
        },
    ]

    func check(area: String, _ name: String, engine: [String] = []) throws {
        let folder = Fixtures.folder(area, name)
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("\(name).rune")
        try Data(try HostileRune.build(folder)).write(to: rune)
        try Self.generated[name]?(scratch)

        let arguments = ((try? String(contentsOf: folder.appendingPathComponent("run.args"), encoding: .utf8)) ?? "")
            .split(whereSeparator: \.isWhitespace)
            .map { $0.replacingOccurrences(of: "$GENERATED", with: scratch.path) }
        let run = try Executables.run("rune", ["run", rune.path] + engine + arguments, in: folder, timeout: Self.bound)
        #expect(!run.timedOut, "rune ran longer than \(Self.bound) s")
        #expect(!run.signaled, "rune was killed by a signal; stderr:\n\(run.standardError)")
        let expectedStatus = (try? String(contentsOf: folder.appendingPathComponent("expected.status"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        #expect(run.status == expectedStatus, "stderr:\n\(run.standardError)")
        let stderr = run.standardError.replacingOccurrences(of: scratch.path, with: "$GENERATED")
        Fixtures.expect(stderr, matches: folder.appendingPathComponent("expected.stderr"))
        let stdoutFile = folder.appendingPathComponent("expected.stdout")
        if FileManager.default.fileExists(atPath: stdoutFile.path) || Fixtures.updating && !run.standardOutput.isEmpty {
            Fixtures.expect(run.standardOutput, matches: stdoutFile)
        } else {
            #expect(run.standardOutput.isEmpty)
        }
        if let seconds = (try? String(contentsOf: folder.appendingPathComponent("expected.seconds"), encoding: .utf8))
            .flatMap({ Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            #expect(run.seconds < seconds, "took \(run.seconds) s, more than \(seconds) s")
        }
    }
}

/// The manifest of a hostile case, as JSON. Arguments are `[key, value]` pairs, in order:
///
///     {"capabilities": [{"name": "input", "kind": "RAW", "type": "i32", "dimensions": [4],
///                        "args": [["source", "-1"]]}],
///      "outputs": [{"name": "serial", "kind": "SERIAL", "inputs": [{"type": "i32", "dimensions": [4]}]}],
///      "memory_bytes": 65536}
struct CraftedManifest: Decodable {
    struct Tensor: Decodable {
        var type: String
        var dimensions: [Int]
        var tensor: TensorType { TensorType(ElementType(spelling: type)!, dimensions) }
    }
    struct Capability: Decodable {
        var name: String
        var kind: String
        var type: String
        var dimensions: [Int]
        var args: [[String]]?
    }
    struct Output: Decodable {
        var name: String
        var kind: String
        var inputs: [Tensor]
        var args: [[String]]?
    }
    var capabilities: [Capability]
    var outputs: [Output]
    var memory_bytes: Int?

    var manifest: Manifest {
        func arguments(_ pairs: [[String]]?) -> [Manifest.Argument] {
            (pairs ?? []).map { Manifest.Argument(key: $0[0], value: $0[1]) }
        }
        return Manifest(
            capabilities: capabilities.map {
                .init(name: $0.name, kind: $0.kind, tensor: Tensor(type: $0.type, dimensions: $0.dimensions).tensor,
                      arguments: arguments($0.args))
            },
            outputs: outputs.map { .init(name: $0.name, kind: $0.kind, inputs: $0.inputs.map(\.tensor), arguments: arguments($0.args)) },
            models: [], memoryBytes: memory_bytes ?? 65536)
    }
}

enum HostileRune {
    /// The `.rune` of a hostile case: its WAT with the manifest filled in, and the manifest section.
    static func build(_ folder: URL) throws -> [UInt8] {
        let manifest = try JSONDecoder().decode(CraftedManifest.self,
                                                from: Data(contentsOf: folder.appendingPathComponent("manifest.json"))).manifest
        var watURL = folder.appendingPathComponent("rune.wat")
        if !FileManager.default.fileExists(atPath: watURL.path) {
            watURL = Fixtures.root.appendingPathComponent("hostile/default.wat")
        }
        return try build(wat: try String(contentsOf: watURL, encoding: .utf8), manifest: manifest)
    }

    static func build(wat: String, manifest: Manifest, section: [UInt8]? = nil) throws -> [UInt8] {
        let blob = manifest.encoded()
        let wasm = try wat2wasm(wat.replacingOccurrences(of: "$MANIFEST", with: dataString(blob)))
        return WasmCustomSection.append(name: Manifest.sectionName, payload: section ?? blob, to: wasm)
    }

    /// `blob` with its little-endian u32 length before it, as a WAT data string.
    static func dataString(_ blob: [UInt8]) -> String {
        let length = UInt32(blob.count)
        let header = [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)]
        return (header + blob).map { "\\" + String($0, radix: 16).leftPadded(2) }.joined()
    }
}

enum WAV {
    static func header(rate: Int, channels: Int, bits: Int, dataBytes: Int) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let blockAlign = channels * bits / 8
        return Array("RIFF".utf8) + le32(36 + dataBytes) + Array("WAVE".utf8) + Array("fmt ".utf8) + le32(16)
            + le16(1) + le16(channels) + le32(rate) + le32(rate * blockAlign) + le16(blockAlign) + le16(bits)
            + Array("data".utf8) + le32(dataBytes)
    }
}

enum PNG {
    static func be32(_ v: Int) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        be32(data.count) + Array(type.utf8) + data + [0, 0, 0, 0]
    }
}
