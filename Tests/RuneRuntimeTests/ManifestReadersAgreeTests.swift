import Foundation
@testable import RuneManifest
@testable import RuneRuntime
import RuneTestSupport
import Testing

/// The C compiler that builds the firmware reader for the host.
private let hostCCompiler = Executables.system("cc") ?? Executables.system("clang")

/// The manifest is read twice in this project: by the host (RuneManifest, Swift) and by the
/// firmware (`Runtime/cortex-m/manifest.c`, C). A manifest one accepts and the other refuses is
/// a rune that runs on a workstation and not on a device, or worse, the reverse. So one corpus
/// goes through both, and they must agree on every entry: the same verdict, the same offset for
/// a refusal, and the same capabilities and outputs for an acceptance.
///
/// The C reader runs in a host build of `Runtime/cortex-m/tests/manifest_verdicts.c`, compiled
/// here with the host's C compiler. Its limits come from `Runtime/include/rune_limits.h`, which
/// `ManifestLimitsHeaderTests` keeps equal to ``RuneLimits``.
@Suite(.enabled(if: hostCCompiler != nil, "needs a host C compiler (cc or clang)"))
struct ManifestReadersAgreeTests {

    /// Hand-written edge cases: each limit at and one past its value, padded integers, bad
    /// UTF-8, non-canonical shapes, truncations.
    static var edgeCases: [[UInt8]] {
        var cases: [[UInt8]] = []
        func with(_ change: (inout Manifest) -> Void) -> [UInt8] {
            var manifest = ManifestTests.sample
            change(&manifest)
            return manifest.encoded()
        }
        for length in [RuneLimits.maxNameBytes, RuneLimits.maxNameBytes + 1] {
            cases.append(with { $0.capabilities[0].name = String(repeating: "a", count: length) })
            cases.append(with { $0.capabilities[0].kind = String(repeating: "K", count: length) })
            cases.append(with { $0.outputs[0].name = String(repeating: "o", count: length) })
            cases.append(with { $0.capabilities[0].arguments[0].key = String(repeating: "k", count: length) })
            cases.append(with { $0.models[0].name = String(repeating: "m", count: length) })
            // Values and model sources are strings, not names: only the string limit applies.
            cases.append(with { $0.capabilities[0].arguments[0].value = String(repeating: "v", count: length) })
            cases.append(with { $0.models[0].source = String(repeating: "s", count: length) })
        }
        for length in [RuneLimits.maxStringBytes, RuneLimits.maxStringBytes + 1] {
            cases.append(with { $0.capabilities[0].arguments[0].value = String(repeating: "v", count: length) })
        }
        for type in [ElementType.u8, .i16, .f32, .f64, .utf8] {
            for elements in [RuneLimits.maxTensorBytes / type.byteWidth, RuneLimits.maxTensorBytes / type.byteWidth + 1,
                             RuneLimits.maxTensorElements, RuneLimits.maxTensorElements + 1, 1 << 30] {
                cases.append(with { $0.capabilities[0].tensor = TensorType(type, [elements]) })
                cases.append(with { $0.outputs[0].inputs[1] = TensorType(type, [2, elements / 2 + 1]) })
                cases.append(with { $0.models[0].inputs[0] = TensorType(type, [elements]) })
            }
        }
        cases.append(with { $0.capabilities[0].tensor = TensorType(.f32, Array(repeating: 2, count: RuneLimits.maxRank)) })
        let magic = Array("RUNE".utf8)
        cases += [
            [], magic, magic + [1], magic + [2, 0, 0, 0, 0], Array("RUNF".utf8) + [1, 0, 0, 0, 0],
            magic + [1, 0, 0, 0, 0],                   // the smallest manifest
            magic + [1, 0x80, 0x00, 0, 0, 0],          // a padded count
            magic + [1, 0, 0, 0, 0x80, 0x00],          // a padded memory size
            magic + [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f],         // memory size 2^32 - 1
            magic + [1, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10],         // memory size 2^32
            magic + [1, 0x81, 0x08, 0, 0, 0],          // 1025 capabilities
            magic + [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],  // 2^63
            magic + [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02],  // 2^64: too large
            magic + [1, 0, 0, 0, 0, 0],                // a trailing byte
            // One capability: name "a", kind "K", then a tensor.
            magic + [1, 1, 1, 0x61, 1, 0x4b, 9, 2, 1, 4, 0, 0, 0, 0],   // F32[1, 4]: not canonical
            magic + [1, 1, 1, 0x61, 1, 0x4b, 9, 1, 1, 0, 0, 0, 0],      // F32[1]: the canonical scalar
            magic + [1, 1, 1, 0x61, 1, 0x4b, 9, 0, 0, 0, 0, 0],         // rank 0
            magic + [1, 1, 1, 0x61, 1, 0x4b, 9, 9, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0],  // rank 9
            magic + [1, 1, 1, 0x61, 1, 0x4b, 12, 1, 4, 0, 0, 0, 0],     // element type 12
            magic + [1, 1, 1, 0x61, 1, 0x4b, 0, 1, 4, 0, 0, 0, 0],      // element type 0
            magic + [1, 1, 1, 0x61, 1, 0x4b, 9, 1, 0, 0, 0, 0, 0],      // dimension 0
            magic + [1, 1, 2, 0xc3, 0x28, 1, 0x4b, 9, 1, 4, 0, 0, 0, 0],           // bad UTF-8
            magic + [1, 1, 3, 0xed, 0xa0, 0x80, 1, 0x4b, 9, 1, 4, 0, 0, 0, 0],     // a surrogate
            magic + [1, 1, 2, 0xc0, 0x80, 1, 0x4b, 9, 1, 4, 0, 0, 0, 0],           // overlong NUL
            magic + [1, 1, 4, 0xf4, 0x90, 0x80, 0x80, 1, 0x4b, 9, 1, 4, 0, 0, 0, 0], // above U+10FFFF
            magic + [1, 1, 4, 0xf0, 0x9f, 0x98, 0x80, 1, 0x4b, 9, 1, 4, 0, 0, 0, 0], // an emoji
            // Version 2 keeps declared shapes in outputs only: one output "o" of kind "K".
            magic + [2, 0, 1, 1, 0x6f, 1, 0x4b, 1, 9, 2, 1, 4, 0, 0, 0],   // output F32[1, 4]: as declared
            magic + [2, 0, 1, 1, 0x6f, 1, 0x4b, 1, 9, 3, 1, 1, 1, 0, 0, 0], // output F32[1, 1, 1]
            magic + [1, 0, 1, 1, 0x6f, 1, 0x4b, 1, 9, 2, 1, 4, 0, 0, 0],   // the same in version 1: not canonical
            magic + [2, 1, 1, 0x61, 1, 0x4b, 9, 2, 1, 4, 0, 0, 0, 0],     // a capability F32[1, 4]: not canonical
            magic + [3, 0, 0, 0, 0],                                     // version 3
        ]
        let sample = ManifestTests.sample.encoded()
        cases += (0..<sample.count).map { Array(sample.prefix($0)) }
        return cases
    }

    /// Seeded mutations of manifests with every kind of field.
    static func mutations(count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        let originals = [ManifestTests.sample.encoded(), ManifestTests.hostile.encoded()]
        return (0..<count).map { index in ManifestTests.mutate(originals[index % originals.count], &generator) }
    }

    @Test func theSwiftAndCReadersAgree() throws {
        let corpus = Self.edgeCases + Self.mutations(count: 40_000, seed: 7)
        let verdicts = try Self.cVerdicts(corpus)
        try #require(verdicts.count == corpus.count, "the C reader answered \(verdicts.count) of \(corpus.count) manifests")
        var accepted = 0
        var disagreements: [String] = []
        for (index, (bytes, cVerdict)) in zip(corpus, verdicts).enumerated() {
            let swiftVerdict: String
            do {
                swiftVerdict = Self.describe(try Manifest(decoding: bytes))
                accepted += 1
            } catch {
                swiftVerdict = "error \(error.offset)"
            }
            if swiftVerdict != cVerdict, disagreements.count < 10 {
                disagreements.append("entry \(index) (\(bytes.count) bytes: \(bytes.prefix(48).map { String($0, radix: 16) }.joined(separator: " "))): Swift says \(swiftVerdict.prefix(200)), C says \(cVerdict.prefix(200))")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
        #expect(accepted > 500 && accepted < corpus.count, "the corpus must hold both verdicts (\(accepted) accepted)")
    }

    /// What the C harness prints for a manifest it accepts.
    static func describe(_ manifest: Manifest) -> String {
        func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }
        func tensor(_ type: TensorType) -> String {
            "\(type.elementType.name)[\(type.shape.map(String.init).joined(separator: ","))]"
        }
        let capabilities = manifest.capabilities.map { "\(hex($0.name)):\(hex($0.kind)):\(tensor($0.tensor));" }.joined()
        let outputs = manifest.outputs.map { "\(hex($0.name)):\(hex($0.kind)):\($0.inputs.map(tensor).joined(separator: ","));" }.joined()
        return "ok \(capabilities)|\(outputs)"
    }

    /// The C reader's verdict on each manifest, one line each.
    static func cVerdicts(_ corpus: [[UInt8]]) throws -> [String] {
        let runtime = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Runtime")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let harness = scratch.appendingPathComponent("manifest_verdicts")
        let compiler = try #require(hostCCompiler)
        let build = try Executables.run(executable: compiler, [
            // A firmware holds a parsed view in static arrays of fixed capacity; here they are as
            // large as the host's own limits, so only the format's rules are compared.
            "-DRUNE_FIRMWARE_MAX_CAPABILITIES=\(RuneLimits.maxCapabilities)", "-DRUNE_FIRMWARE_MAX_OUTPUTS=\(RuneLimits.maxOutputs)",
            "-DRUNE_FIRMWARE_MAX_OUTPUT_TENSORS=\(RuneLimits.maxOutputs * RuneLimits.maxManifestEntries)",
            "-std=c11", "-O1", "-Wall", "-Werror", "-I", runtime.appendingPathComponent("include").path, "-I", runtime.path,
            runtime.appendingPathComponent("cortex-m/manifest.c").path,
            runtime.appendingPathComponent("cortex-m/tests/manifest_verdicts.c").path, "-o", harness.path,
        ])
        try #require(build.status == 0, "the C harness does not build:\n\(build.standardError)")
        var input: [UInt8] = []
        for bytes in corpus {
            let length = UInt32(bytes.count)
            input += [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)]
            input += bytes
        }
        let inputFile = scratch.appendingPathComponent("corpus.bin")
        try Data(input).write(to: inputFile)
        let run = try Executables.run(executable: harness, [inputFile.path])
        try #require(run.status == 0, "the C harness failed (\(run.status)):\n\(run.standardError)")
        return run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

/// `Runtime/include/rune_limits.h` is RuneLimits written for C: this test renders the header from
/// the Swift values and compares it with the file (`RUNE_UPDATE_GOLDEN=1` rewrites the file), so a
/// limit changed in Swift cannot be forgotten in C.
@Suite struct ManifestLimitsHeaderTests {
    static var rendered: String {
        let limits: [(String, Int)] = [
            ("RUNE_MAX_MANIFEST_ENTRIES", RuneLimits.maxManifestEntries),
            ("RUNE_MAX_NAME_BYTES", RuneLimits.maxNameBytes),
            ("RUNE_MAX_STRING_BYTES", RuneLimits.maxStringBytes),
            ("RUNE_MAX_RANK", RuneLimits.maxRank),
            ("RUNE_MAX_TENSOR_ELEMENTS", RuneLimits.maxTensorElements),
            ("RUNE_MAX_TENSOR_BYTES", RuneLimits.maxTensorBytes),
            ("RUNE_MAX_LOG_MESSAGE_BYTES", RuneLimits.maxLogMessageBytes),
        ]
        return """
            /*
             * rune_limits.h - the host's limits on a manifest and a log message, for C.
             *
             * Generated from RuneLimits (Sources/RuneManifest/RuneLimits.swift) by
             * ManifestLimitsHeaderTests (RUNE_UPDATE_GOLDEN=1 rewrites it); that test
             * fails when the two differ, so the limits are defined once, in Swift.
             */
            #ifndef RUNE_LIMITS_H
            #define RUNE_LIMITS_H

            \(limits.map { "#define \($0.0) \($0.1)u" }.joined(separator: "\n"))

            #endif /* RUNE_LIMITS_H */

            """
    }

    @Test func theCHeaderHoldsTheSwiftLimits() throws {
        let file = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Runtime/include/rune_limits.h")
        if ProcessInfo.processInfo.environment["RUNE_UPDATE_GOLDEN"] == "1" {
            try Self.rendered.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == Self.rendered,
                "Runtime/include/rune_limits.h differs from RuneLimits: run the tests with RUNE_UPDATE_GOLDEN=1")
    }
}
