import ArgumentParser
import Foundation
import RuneAOT
import RuneManifest
import RuneRuntime
import RuneFiles
import RuneSensors

/// `rune run`: instantiate a rune with its capabilities and call it.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a rune, feeding its capabilities from files.",
        discussion: """
            Each capability the rune declares must be given, or the rune is refused before any \
            of its code runs. A file flag takes FILE or NAME=FILE, where NAME is the \
            capability's name in the Runefile; unnamed files go to capabilities of that kind \
            in the order they are declared (or by their 'source' argument). One unnamed \
            --raw FILE feeds every RAW capability without a file of its own, as the original \
            Rune did. Two files for one capability, or a file no capability reads, is an error naming the capability and \
            listing what the rune declares.

            Outputs: one JSON object per call on stdout. Logs and errors go to stderr.
            Exit status: 0 on success, 1 when the rune cannot be loaded, is refused, traps, \
            fails or breaks a limit. No input, however hostile, crashes or hangs this host.

            Limits (a rune that breaks one is stopped with an error, exit status 1):
              --timeout DURATION    each call of the start function, _manifest() and _call() \
            (default \(RunLimits.format(seconds: RuneLimits.defaultTimeoutSeconds)); 0 = none). \
            Written 500ms, 10s, 2m or in seconds.
              --max-memory BYTES    linear memory (default \(RuneLimits.defaultMaxMemoryBytes >> 20)M): a larger \
            initial memory is refused at load, memory.grow past it returns -1 as the spec says.
              --max-output-bytes N  bytes handed to outputs in one call, strings included \
            (default \(RuneLimits.defaultMaxOutputBytesPerCall >> 20)M), checked before anything is copied.
              --max-log-lines N     log lines shown per call (default \(RuneLimits.defaultMaxLogLinesPerCall)); \
            the rest are dropped with one note saying how many. Each message is cut at \
            \(RuneLimits.maxLogMessageBytes) bytes.
            Fixed limits: the .rune file is read up to \(RuneLimits.maxRuneBytes >> 20) MiB and each sensor file \
            up to \(RuneLimits.maxSensorFileBytes >> 20) MiB (a --raw file up to its tensor's size); \
            images up to \(RuneLimits.maxImageSide) pixels a side and \(RuneLimits.maxImagePixels) \
            pixels; WAV sample rates and SOUND hz in \(RuneLimits.sampleRates.lowerBound)...\(RuneLimits.sampleRates.upperBound) Hz; \
            tensors up to \(RuneLimits.maxTensorBytes >> 20) MiB; names up to \(RuneLimits.maxNameBytes) bytes. \
            Only the part of a recording a reading uses is decoded.

            Examples:
              rune run microspeech.rune --sound yes.wav
              rune run two-inputs.rune --raw numbers=numbers.bin --raw bytes.bin
              rune run suspicious.rune --raw input.bin --timeout 500ms --max-memory 16M
            """)

    @Argument(help: "The .rune file.")
    var rune: String

    @Option(name: .customLong("raw"), help: ArgumentHelp("A file for a RAW capability: its bytes, reinterpreted as the declared type (little-endian). A single unnamed --raw FILE feeds every RAW capability. NAME=FILE also replays recorded bytes into a capability of any other kind.", valueName: "[name=]file"))
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

    @Option(name: .customLong("deny"), help: ArgumentHelp("Refuse a capability kind even if the rune asks for it: \(Self.list(Self.deniableKinds, "or")) (any case; \(Self.list(CapabilityKind.allCases.flatMap(\.aliases), "and")) too). Another kind is an error.", valueName: "kind"))
    var deniedKinds: [String] = []

    @Flag(help: "Print the time per call and per stage on stderr.")
    var timings = false

    // Benchmarks (scripts/bench-container) time calls, not printing: one JSON line per call
    // would dominate a microsecond pipeline, and timing stage by stage adds calls into the rune.
    @Flag(name: .customLong("last-output-only"), help: "With --repeat, print only the last call's outputs.")
    var lastOutputOnly = false

    @Flag(name: .customLong("whole-call-timings"), help: "With --timings, time whole calls only (one _call each), not stage by stage.")
    var wholeCallTimings = false

    @Option(help: ArgumentHelp("Stop any call (start function, _manifest, _call) that runs longer: 500ms, 10s, 2m; 0 for none.", valueName: "duration"))
    var timeout: String = RunLimits.format(seconds: RuneLimits.defaultTimeoutSeconds)

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("The most linear memory the rune may have, in bytes (suffixes K, M, G).", valueName: "bytes"))
    var maxMemory: String = "\(RuneLimits.defaultMaxMemoryBytes >> 20)M"

    @Option(name: .customLong("max-output-bytes"), help: ArgumentHelp("The most bytes the rune may hand its outputs in one call (suffixes K, M, G).", valueName: "bytes"))
    var maxOutputBytes: String = "\(RuneLimits.defaultMaxOutputBytesPerCall >> 20)M"

    @Option(name: .customLong("max-log-lines"), help: ArgumentHelp("The most log lines shown per call; the rest are dropped and counted.", valueName: "n"))
    var maxLogLines: Int = RuneLimits.defaultMaxLogLinesPerCall

    /// The kinds `--deny` takes (their aliases too): every kind, since this host provides them all.
    static var deniableKinds: [String] { CapabilityKind.allCases.map(\.name) }

    /// `A, B or C`.
    private static func list(_ words: [String], _ conjunction: String) -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " \(conjunction) " + words.last!
    }

    @Option(help: ArgumentHelp(
        "The engine that runs the rune: aot (the default: native code translated through LLVM in process, bounds-checked, cached per host so only the first run translates) or interpreter (WasmKit, the reference).",
        valueName: "engine"))
    var engine: RuneEngine = .aot

    @Flag(name: .customLong("no-cache"), help: "Translate the rune to native code afresh, without reading or writing the cache (aot engine).")
    var noCache = false

    /// Checks the flags before anything is read. A mistake is an `error: ...` on stderr and exit
    /// status 1, like every other refusal of `rune run`.
    func validate() throws {
        guard `repeat` >= 1 else { throw refuse("--repeat must be at least 1") }
        guard RunLimits.parseDuration(timeout) != nil else {
            throw refuse("--timeout '\(timeout)' is not a duration such as 500ms, 10s or 2m (at most 24h; 0 for none)")
        }
        guard let memory = RunLimits.parseBytes(maxMemory), memory >= 65536, memory <= 1 << 32 else {
            throw refuse("--max-memory '\(maxMemory)' is not a byte count from 64K to 4G (such as 16M or 268435456)")
        }
        guard let output = RunLimits.parseBytes(maxOutputBytes), output >= 0, output <= 1 << 32 else {
            throw refuse("--max-output-bytes '\(maxOutputBytes)' is not a byte count up to 4G (such as 16M)")
        }
        guard maxLogLines >= 0 else { throw refuse("--max-log-lines must be 0 or more") }
        for kind in deniedKinds where Self.canonicalKind(kind) == nil {
            throw refuse("--deny '\(kind)' is not a capability kind; the kinds are \(Self.deniableKinds.joined(separator: ", "))")
        }
        // One file per capability name, whichever flags carry them.
        var seen: [String: String] = [:]
        for (flag, values) in [("--raw", rawFiles), ("--sound", soundFiles), ("--image", imageFiles), ("--accel", accelFiles)] {
            for value in values {
                let file = InputFile(argument: value)
                guard let name = file.capability else { continue }
                if let earlier = seen[name] {
                    throw refuse("capability '\(name)' is given two files (\(earlier) and \(flag) \(value)); give it one")
                }
                seen[name] = "\(flag) \(value)"
            }
        }
    }

    private func refuse(_ message: String) -> ExitCode {
        StandardError().write("error: \(message)\n")
        return ExitCode(1)
    }

    /// `RAW`, `sound`, `Audio` -> `.raw`, `.sound`, `.sound`; nil for an unknown kind.
    static func canonicalKind(_ kind: String) -> CapabilityKind? { CapabilityKind(named: kind) }

    var limits: RunLimits {
        RunLimits(timeoutSeconds: RunLimits.parseDuration(timeout) ?? RuneLimits.defaultTimeoutSeconds,
                  maxMemoryBytes: RunLimits.parseBytes(maxMemory) ?? RuneLimits.defaultMaxMemoryBytes,
                  maxOutputBytesPerCall: RunLimits.parseBytes(maxOutputBytes) ?? RuneLimits.defaultMaxOutputBytesPerCall,
                  maxLogLinesPerCall: maxLogLines)
    }

    func run() throws {
        let errors = StandardError()
        let bytes = try readRune(rune)
        let configuration = HostConfiguration(
            files: [.raw: rawFiles.map(InputFile.init(argument:)),
                    .sound: soundFiles.map(InputFile.init(argument:)),
                    .image: imageFiles.map(InputFile.init(argument:)),
                    .accel: accelFiles.map(InputFile.init(argument:))],
            randomSeed: randomSeed,
            deniedKinds: Set(deniedKinds.compactMap(Self.canonicalKind)),
            limits: limits,
            nativeCodeCache: engine == .aot && !noCache ? CacheFolder.resolve(warn: true) : nil)
        do {
            try execute(bytes, configuration: configuration)
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
        instance.noteHandler = { message in StandardError().write("note: \(message)\n") }
        for warning in instance.inputWarnings { errors.write("warning: \(warning)\n") }
        if let native = instance as? AOTRuneInstance {
            for warning in native.cacheWarnings { errors.write("warning: \(warning)\n") }
            if timings { errors.write(Self.loadLine(native, cached: configuration.nativeCodeCache != nil)) }
        }
        var durations: [UInt64] = []
        var stageDurations: [[UInt64]] = []
        let output = FileHandle.standardOutput
        for call in 0..<`repeat` {
            let printed = !lastOutputOnly || call == `repeat` - 1
            let records: [SerialRecord]
            if timings, !wholeCallTimings, instance.canTimeStages {
                let start = DispatchTime.now().uptimeNanoseconds
                let (stageRecords, times) = try instance.runTimingStages()
                durations.append(DispatchTime.now().uptimeNanoseconds - start)
                stageDurations.append(times)
                records = stageRecords
            } else {
                // The call alone is timed; its records are built after, and only if printed.
                let start = DispatchTime.now().uptimeNanoseconds
                try instance.callPipeline()
                durations.append(DispatchTime.now().uptimeNanoseconds - start)
                records = printed ? instance.records() : []
            }
            if !printed { continue }
            for record in records { output.write(Data(record.json + [UInt8(ascii: "\n")])) }
        }
        if timings {
            errors.write(TimingReport(calls: durations, stages: stageDurations, pipeline: loaded.pipeline,
                                      translationSeconds: (instance as? AOTRuneInstance)?.translationSeconds).text)
        }
    }
}

extension Run {
    /// `native code: loaded from cache in 4.1 ms` or `native code: translated in 812.0 ms (ready
    /// in 830.2 ms)`: the --timings line that says whether this run translated.
    static func loadLine(_ instance: AOTRuneInstance, cached: Bool) -> String {
        func ms(_ seconds: Double) -> String {
            let tenths = (seconds * 10_000).rounded() / 10
            return "\(tenths) ms"
        }
        switch instance.nativeCodeOrigin {
        case .cached:
            return "native code: loaded from cache in \(ms(instance.loadSeconds))\n"
        case .translated:
            return "native code: translated in \(ms(instance.translationSeconds)) (ready in \(ms(instance.loadSeconds)))\(cached ? "" : ", not cached")\n"
        }
    }
}

/// The bytes of the .rune at `path`, at most ``RuneLimits/maxRuneBytes``; or an error on stderr
/// and exit status 1.
func readRune(_ path: String) throws -> [UInt8] {
    do {
        return try BoundedFile.read(path, limit: RuneLimits.maxRuneBytes, timeout: RuneLimits.defaultTimeoutSeconds)
    } catch {
        StandardError().write("error: cannot read '\(path)': \(error.message)\n")
        throw ExitCode(1)
    }
}
extension RuneEngine: ExpressibleByArgument {}

struct StandardError {
    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
