import Foundation
@testable import RuneManifest
@testable import RuneRuntime
import Testing

/// The host given a rune whose manifest was mutated never traps: it refuses the rune with a
/// `RuneError`, or runs it. (A trap would end the test process, failing the run.) Seeded, so a
/// failure replays; the iteration is in the message.
@Suite struct HostFuzzTests {
    @Test func mutatedManifestsNeverCrashTheHost() throws {
        let folder = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                                 appropriateFor: FileManager.default.temporaryDirectory, create: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let wav = folder.appendingPathComponent("clip.wav")
        try Data(WAV.header(rate: 8000, channels: 1, bits: 16, dataBytes: 400) + [UInt8](repeating: 1, count: 400)).write(to: wav)
        let bmp = folder.appendingPathComponent("image.bmp")
        try Data(Self.bmp).write(to: bmp)
        let csv = folder.appendingPathComponent("motion.csv")
        try Data("x,y,z\n1,2,3\n4,5,6\n".utf8).write(to: csv)

        let original = ManifestTests.hostile.encoded()
        var generator = SplitMix64(seed: 42)
        var ran = 0, refused = 0
        var reasons: [String: Int] = [:]
        for iteration in 0..<400 {
            let bytes = ManifestTests.mutate(original, &generator)
            guard let manifest = try? Manifest(decoding: bytes) else {
                // The section is unreadable: loading must refuse it cleanly.
                let rune = try HostileRune.build(wat: Self.wat(for: ManifestTests.hostile), manifest: ManifestTests.hostile, section: bytes)
                #expect(throws: RuneError.self, "iteration \(iteration)") { _ = try Rune(bytes: rune) }
                continue
            }
            var files: [CapabilityKind: [InputFile]] = [:]
            for capability in manifest.capabilities {
                // A kind the host does not know has no flag to feed it; the host refuses it.
                guard let kind = capability.kindID else { continue }
                let path: String
                switch kind {
                case .sound: path = wav.path
                case .image: path = bmp.path
                case .accel: path = csv.path
                case .raw, .rand:
                    let url = folder.appendingPathComponent("raw-\(capability.tensor.byteCount).bin")
                    if !FileManager.default.fileExists(atPath: url.path) {
                        try Data(repeating: 7, count: capability.tensor.byteCount).write(to: url)
                    }
                    path = url.path
                }
                files[kind, default: []].append(InputFile(capability: capability.name, path: path))
            }
            let configuration = HostConfiguration(files: files, limits: RunLimits(timeoutSeconds: 5))
            do {
                let rune = try Rune(bytes: try HostileRune.build(wat: Self.wat(for: manifest), manifest: manifest))
                let instance = try RuneInstance(rune: rune, configuration: configuration)
                _ = try instance.run()
                ran += 1
            } catch let error as RuneError {
                reasons[String(error.description.prefix(60)), default: 0] += 1
                refused += 1
            }
        }
        #expect(ran > 0 && refused > 0, "ran \(ran), refused \(refused): the mutations should do both; refusals: \(reasons)")
    }

    /// A rune that reads every capability it declares (that fits its memory) and writes every
    /// output tensor.
    static func wat(for manifest: Manifest) -> String {
        var body = ""
        for (index, capability) in manifest.capabilities.enumerated() where capability.tensor.byteCount <= 32768 {
            body += "(drop (call $read (i32.const \(index)) (i32.const 32768) (i32.const \(capability.tensor.byteCount))))\n"
        }
        for (index, output) in manifest.outputs.enumerated() {
            // From zeroed memory, so UTF8 tensors are empty strings.
            for (input, tensor) in output.inputs.enumerated() where tensor.byteCount <= 16384 {
                body += "(drop (call $write (i32.const \(index)) (i32.const \(input)) (i32.const 49152) (i32.const \(tensor.byteCount))))\n"
            }
        }
        return """
            (module
              (import "rune" "capability_read" (func $read (param i32 i32 i32) (result i32)))
              (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (import "rune" "log" (func $log (param i32 i32 i32)))
              (memory (export "memory") 1)
              (data (i32.const 1024) "$MANIFEST")
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32) \(body) i32.const 0)
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """
    }

    /// A 2 x 2 24-bit BMP.
    static let bmp: [UInt8] = {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let pixels: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 0, 0, 0]
        return Array("BM".utf8) + le32(54 + pixels.count) + le32(0) + le32(54) + le32(40) + le32(2) + le32(2)
            + le16(1) + le16(24) + le32(0) + le32(pixels.count) + le32(0) + le32(0) + le32(0) + le32(0) + pixels
    }()
}
