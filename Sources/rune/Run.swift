import ArgumentParser
import Foundation
import RuneManifest
import RuneRuntime

/// `rune run`: instantiate a rune with its capabilities and call it.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a rune, feeding its capabilities from files.",
        discussion: """
            Each capability the rune declares must be given, or the rune is refused before any \
            of its code runs. A file flag takes FILE or NAME=FILE, where NAME is the \
            capability's name in the Runefile; unnamed files go to capabilities of that kind \
            in the order they are declared (or by their 'source' argument).

            Outputs: one JSON object per call on stdout. Logs and errors go to stderr.
            Exit status: 0 on success, 1 when the rune cannot be loaded, is refused, traps or fails.
            """)

    @Argument(help: "The .rune file.")
    var rune: String

    @Option(name: .customLong("raw"), help: ArgumentHelp("A file for a RAW capability: its bytes, reinterpreted as the declared type (little-endian). NAME=FILE also replays recorded bytes into a capability of any other kind.", valueName: "[name=]file"))
    var rawFiles: [String] = []

    @Option(name: .customLong("sound"), help: ArgumentHelp("A WAV file for a SOUND capability (PCM 8/16/24/32-bit or float, any channels and rate): mixed to mono, resampled to the capability's hz, zero-padded with a warning if short.", valueName: "[name=]file.wav"))
    var soundFiles: [String] = []

    @Option(name: .customLong("image"), help: ArgumentHelp("A PNG, BMP or JPEG file for an IMAGE capability: resized to its width and height, in its pixel format.", valueName: "[name=]file"))
    var imageFiles: [String] = []

    @Option(name: .customLong("accel"), help: ArgumentHelp("A CSV file of x,y,z rows for an ACCEL capability: the first n rows, zero-padded with a warning if short.", valueName: "[name=]file.csv"))
    var accelFiles: [String] = []

    @Option(name: .customLong("random"), help: ArgumentHelp("The seed of every RAND capability (deterministic).", valueName: "seed"))
    var randomSeed: UInt64 = 0

    @Option(help: "How many times to call the rune (for benchmarks).")
    var `repeat`: Int = 1

    @Option(name: .customLong("deny"), help: ArgumentHelp("Refuse a capability kind (for example SOUND) even if the rune asks for it.", valueName: "kind"))
    var deniedKinds: [String] = []

    @Flag(help: "Print the time per call and per stage on stderr.")
    var timings = false

    @Option(help: ArgumentHelp("The engine that runs the rune: aot (native code translated through LLVM, the default) or interpreter (WasmKit).", valueName: "engine"))
    var engine: RuneEngine = .aot

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        let errors = StandardError()
        guard let data = FileManager.default.contents(atPath: rune) else {
            errors.write("error: cannot read '\(rune)': no such file\n")
            throw ExitCode(1)
        }
        let configuration = HostConfiguration(
            files: ["RAW": rawFiles.map(InputFile.init(argument:)),
                    "SOUND": soundFiles.map(InputFile.init(argument:)),
                    "IMAGE": imageFiles.map(InputFile.init(argument:)),
                    "ACCEL": accelFiles.map(InputFile.init(argument:))],
            randomSeed: randomSeed,
            deniedKinds: Set(deniedKinds.map { $0.uppercased() }))
        do {
            try execute(Array(data), configuration: configuration)
        } catch {
            errors.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    private func execute(_ bytes: [UInt8], configuration: HostConfiguration) throws(RuneError) {
        let errors = StandardError()
        let loaded = try Rune(bytes: bytes)
        let instance = try engine.instantiate(loaded, configuration: configuration)
        instance.logHandler = { level, message in
            let names = [1: "error", 2: "warning", 3: "info", 4: "debug"]
            StandardError().write("[\(names[level] ?? "log")] \(message)\n")
        }
        for warning in instance.inputWarnings { errors.write("warning: \(warning)\n") }
        var durations: [UInt64] = []
        var stageDurations: [[UInt64]] = []
        let output = FileHandle.standardOutput
        for _ in 0..<`repeat` {
            let records: [SerialRecord]
            if timings, instance.canTimeStages {
                let start = DispatchTime.now().uptimeNanoseconds
                let (stageRecords, times) = try instance.runTimingStages()
                durations.append(DispatchTime.now().uptimeNanoseconds - start)
                stageDurations.append(times)
                records = stageRecords
            } else {
                let start = DispatchTime.now().uptimeNanoseconds
                records = try instance.run()
                durations.append(DispatchTime.now().uptimeNanoseconds - start)
            }
            for record in records { output.write(Data(record.json + [UInt8(ascii: "\n")])) }
        }
        if timings {
            errors.write(TimingReport(calls: durations, stages: stageDurations, pipeline: loaded.pipeline).text)
        }
    }
}

extension RuneEngine: ExpressibleByArgument {}

struct StandardError {
    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
