import Foundation
import RuneCompiler
import RuneTestSupport
import Testing

/// Firmware built with `runec --target cortex-m7`, run on QEMU's Cortex-M7 board (`mps2-an500`):
/// its serial output must be what `rune run` prints for the same inputs.
@Suite(.enabled(if: Executables.system("qemu-system-arm") != nil, "needs qemu-system-arm"))
struct CortexMTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var example: String
        var runefile: String
        /// Capability name, file (relative to the example), and the `rune run` flag that reads it.
        var inputs: [(capability: String, file: String, flag: String)]
        var testDescription: String { example }
    }

    static let cases: [Case] = [
        Case(example: "noop", runefile: "Runefile", inputs: [("input", "../../runes/raw-i32/input.bin", "--raw")]),
        Case(example: "sine", runefile: "Runefile.yml", inputs: [("rand", "input.bin", "--raw")]),
        Case(example: "microspeech", runefile: "Runefile", inputs: [("audio", "data/up/84d1e469_nohash_0.wav", "--sound")]),
    ]

    /// Builds firmware and runs it on QEMU; returns the serial output and QEMU's exit status.
    static func boot(_ runefile: URL, board: String = "mps2-an500", embedding: [String], arguments: [String] = [],
                     in folder: URL) throws -> Executables.Result {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = scratch.appendingPathComponent("app.elf")
        let build = try Executables.run("runec", [runefile.path, "--target", "cortex-m7", "--board", board, "-o", firmware.path]
                                        + embedding.flatMap { ["--embed-input", $0] } + arguments, in: folder)
        try #require(build.status == 0, "runec failed:\n\(build.standardError)")
        let timeout = try #require(Executables.system("timeout"))
        return try Executables.run(executable: timeout, ["120", "qemu-system-arm", "-M", "mps2-an500", "-nographic",
                                                         "-semihosting-config", "enable=on,target=native", "-kernel", firmware.path])
    }

    @Test(arguments: cases)
    func firmwarePrintsWhatTheHostPrints(_ testCase: Case) throws {
        let folder = Fixtures.folder("hotg", testCase.example)
        let runefile = folder.appendingPathComponent(testCase.runefile)
        let booted = try CortexMTests.boot(runefile, embedding: testCase.inputs.map { "\($0.capability)=\($0.file)" }, in: folder)
        #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)\n\(booted.standardError)")

        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("app.rune")
        let build = try Executables.run("runec", [runefile.path, "-o", rune.path])
        try #require(build.status == 0, "\(build.standardError)")
        let host = try Executables.run("rune", ["run", rune.path] + testCase.inputs.flatMap { [$0.flag, "\($0.capability)=\($0.file)"] }, in: folder)
        try #require(host.status == 0, "\(host.standardError)")
        let serialLines = booted.standardOutput.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("{") }
        #expect(serialLines.map(String.init) == host.standardOutput.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// The int8 model fixtures whose CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED take the
    /// DSP-extension kernels on the Cortex-M7 (SMLAD, SXTB16: Runtime/kernels/optimized/*_dsp.h).
    static let dspModels = ["micro_speech_quantized", "person_detect", "keyword_scrambled", "op_conv_s8", "op_conv_s8_valid",
                            "op_depthwise_s8", "op_fully_connected_s8_per_channel"]

    /// Each step's records on QEMU, with the DSP kernels, are byte for byte the host's, whose
    /// kernels ModelReferenceTests hold bit-exact to TFLM's reference.
    @Test(arguments: dspModels)
    func dspKernelsPrintWhatTheHostPrints(_ name: String) throws {
        let folder = Fixtures.folder("models", name)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let steps = files.filter { $0.hasPrefix("input-") && $0.hasSuffix("-0.bin") }.count
        try #require(steps > 0, "\(name) has no inputs")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("model.rune")
        let build = try Executables.run("runec", [folder.appendingPathComponent("Runefile").path, "-o", rune.path])
        try #require(build.status == 0, "\(build.standardError)")
        for step in 0..<steps {
            let inputs = files.filter { $0.hasPrefix("input-\(step)-") && $0.hasSuffix(".bin") }.sorted()
                .map { file in (capability: "in" + file.dropFirst("input-\(step)-".count).dropLast(4), file: file) }
            let booted = try CortexMTests.boot(folder.appendingPathComponent("Runefile"),
                                               embedding: inputs.map { "\($0.capability)=\($0.file)" }, in: folder)
            #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)\n\(booted.standardError)")
            let host = try Executables.run("rune", ["run", rune.path] + inputs.flatMap { ["--raw", "\($0.capability)=\($0.file)"] }, in: folder)
            try #require(host.status == 0, "\(host.standardError)")
            let serialLines = booted.standardOutput.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("{") }.map(String.init)
            #expect(!serialLines.isEmpty && serialLines == host.standardOutput.split(whereSeparator: \.isNewline).map(String.init),
                    "\(name) step \(step): the firmware printed\n\(booted.standardOutput)")
        }
    }

    /// `--plain-kernels` (the benchmarks' baseline) builds the int8 kernels without the DSP
    /// instructions, and the firmware still prints what the host prints.
    @Test func plainKernelsPrintWhatTheHostPrints() throws {
        let folder = Fixtures.folder("models", "micro_speech_quantized")
        let booted = try CortexMTests.boot(folder.appendingPathComponent("Runefile"), embedding: ["in0=input-0-0.bin"],
                                           arguments: ["--plain-kernels"], in: folder)
        #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("model.rune")
        let build = try Executables.run("runec", [folder.appendingPathComponent("Runefile").path, "-o", rune.path])
        try #require(build.status == 0, "\(build.standardError)")
        let host = try Executables.run("rune", ["run", rune.path, "--raw", "in0=input-0-0.bin"], in: folder)
        let serialLines = booted.standardOutput.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("{") }.map(String.init)
        #expect(!serialLines.isEmpty && serialLines == host.standardOutput.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// `--quiet-outputs` (for benchmarks): the calls still run and their records are checked, but
    /// serial carries only the timing line.
    @Test func quietFirmwarePrintsOnlyItsTiming() throws {
        let folder = Fixtures.folder("hotg", "sine")
        let booted = try CortexMTests.boot(folder.appendingPathComponent("Runefile.yml"), embedding: ["rand=input.bin"],
                                           arguments: ["--iterations", "3", "--report-timing", "--quiet-outputs"], in: folder)
        #expect(booted.status == 0, "QEMU exited with \(booted.status):\n\(booted.standardOutput)")
        let lines = booted.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.count == 1 && lines[0].hasPrefix("timing: 3 calls, ") && lines[0].hasSuffix(" cycles per call"), "serial:\n\(booted.standardOutput)")
    }

    /// A board that cannot feed a capability gets no firmware: runec refuses at the Runefile's
    /// line, with the words the firmware's own boot check uses, and writes no file.
    @Test func aCapabilityTheBoardLacksIsRefusedAtCompileTime() throws {
        let folder = Fixtures.folder("hotg", "person_detection")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = scratch.appendingPathComponent("app.elf")
        let build = try Executables.run("runec", ["Runefile", "--target", "cortex-m7", "--board", "mps2-an500", "-o", firmware.path],
                                        in: folder)
        #expect(build.status != 0)
        #expect(build.standardError.contains("Runefile:3:36"), "\(build.standardError)")
        #expect(build.standardError.contains("error[E0502]: the rune needs capability 'image' of kind IMAGE, which board mps2-an500 does not provide"),
                "\(build.standardError)")
        #expect(!FileManager.default.fileExists(atPath: firmware.path))
    }

    @Test func portentaFirmwareStartsAfterTheBootloader() throws {
        let folder = Fixtures.folder("hotg", "microspeech")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        for format in ["elf", "bin", "hex"] {
            let output = scratch.appendingPathComponent("app.\(format)")
            let build = try Executables.run("runec", ["Runefile", "--target", "cortex-m7", "--board", "portenta-h7",
                                                      "--embed-input", "audio=data/up/84d1e469_nohash_0.wav", "-o", output.path], in: folder)
            try #require(build.status == 0, "\(build.standardError)")
            #expect(build.standardError.contains("firmware for portenta-h7"))
            let bytes = try Array(Data(contentsOf: output))
            switch format {
            case "elf":
                let image = try ELFImage(bytes)
                #expect(image.machine == 40)   // EM_ARM
                let vectors = try #require(image.sections.first { $0.name == ".isr_vector" })
                #expect(vectors.address == 0x0804_0000)
                #expect((0x0804_0000..<0x0810_0000).contains(image.entry))
                let flash = image.sections.filter { $0.isAllocated && !$0.isNoBits }.map { Int($0.size) }.reduce(0, +)
                #expect(flash <= 768 * 1024)
            case "bin":
                // The flat image starts with the vector table: the initial stack pointer, then the reset handler.
                let resetHandler = UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24
                #expect((0x0804_0000..<0x0810_0000).contains(resetHandler & ~1) && resetHandler & 1 == 1)
            default:
                #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(":020000040804"))
            }
        }
    }
}

/// Firmware builds that must fail before anything is written.
@Suite struct FirmwareBuildTests {
    @Test func anImageLargerThanTheBoardIsRefused() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runefile = scratch.appendingPathComponent("Runefile")
        try "FROM runicos/base\nCAPABILITY<U8[1000000]> big RAW\nOUT serial\nRUN big serial\n"
            .write(to: runefile, atomically: true, encoding: .utf8)
        try Data(count: 1_000_000).write(to: scratch.appendingPathComponent("big.bin"))
        let output = scratch.appendingPathComponent("app.elf")
        let build = try Executables.run("runec", ["Runefile", "--target", "cortex-m7", "--board", "portenta-h7",
                                                  "--embed-input", "big=big.bin", "-o", output.path], in: scratch)
        #expect(build.status == 1)
        #expect(build.standardError.contains("error[E0500]: the firmware does not fit board portenta-h7"), "\(build.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func embeddedInputsMustNameACapability() throws {
        let folder = Fixtures.folder("hotg", "sine")
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("sine.elf")
        let build = try Executables.run("runec", ["Runefile.yml", "--target", "cortex-m7", "--embed-input", "nope=input.bin",
                                                  "-o", output.path], in: folder)
        #expect(build.status == 1)
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(build.standardError.contains("error[E0501]: --embed-input names 'nope', which is not a capability of this rune"))
        #expect(build.standardError.contains("its capabilities are rand"))
    }
}
