import Foundation
import RuneAOT
import RuneManifest
import RuneRuntime
import RuneTestSupport
import Testing

/// Seeded differential fuzz of the two engines: every example rune (`Fixtures/hotg`) and every
/// rune fixture (`Fixtures/runes`) gets random capability readings from a fixed seed, the same
/// bytes on WasmKit's interpreter and on the AOT engine, in process. Each instance is called
/// several times (pipelines keep state between calls), and every call must give the same records
/// to the bit (floats compared by bit pattern, NaN payloads and signed zeros included), the same
/// log lines, or the same error.
///
/// Readings cycle through edge patterns (all zeros, all 0xFF, each element type's extremes:
/// NaN, infinities, denormals, ±0, integer minimum and maximum) and random ones (raw bytes,
/// plausible values, mixtures).
///
/// The default run makes 4 instances of each rune and calls each 3 times, except the runes a
/// debug build interprets slowly (``Settings/slowRunes``). Long runs: `scripts/fuzz-engines`, or
/// the environment: RUNE_FUZZ_SEED (decimal or 0x hex), RUNE_FUZZ_ITERATIONS (instances per
/// rune; slow runes get a tenth), RUNE_FUZZ_CALLS (calls per instance), RUNE_FUZZ_RUNES
/// (comma-separated case names).
/// A disagreement names the seed, rune, iteration and call, and leaves the readings of that
/// iteration in a folder for `rune run --raw NAME=FILE` to replay.
@Suite struct EngineFuzzTests {
    struct Settings {
        var seed: UInt64 = 0x5EED_D1FF
        /// Instances per rune and calls per instance, when the environment sets them.
        var iterations: Int?
        var calls: Int?
        var runes: Set<String>?

        init(environment: [String: String] = ProcessInfo.processInfo.environment) {
            if let text = environment["RUNE_FUZZ_SEED"] {
                seed = (text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)) ?? seed
            }
            iterations = environment["RUNE_FUZZ_ITERATIONS"].flatMap { Int($0) }
            calls = environment["RUNE_FUZZ_CALLS"].flatMap { Int($0) }
            runes = environment["RUNE_FUZZ_RUNES"].flatMap { $0.isEmpty ? nil : Set($0.split(separator: ",").map(String.init)) }
        }

        /// Runes a debug build interprets for seconds a call (person_detection about 17 s,
        /// microspeech 2 s; the rest well under one): the default run calls them less, and a long
        /// run gives them a tenth of the instances.
        static let slowRunes: [String: (iterations: Int, calls: Int)] = ["microspeech": (1, 2), "person_detection": (1, 1)]

        /// How many instances of `target` to make and call how often.
        func plan(for target: Target) -> (iterations: Int, calls: Int) {
            let slow = Self.slowRunes[target.name]
            let calls = calls ?? slow?.calls ?? 3
            guard let iterations else { return (slow?.iterations ?? 4, calls) }
            return (slow == nil ? iterations : max(1, iterations / 10), calls)
        }
    }

    static let settings = Settings()

    struct Target: Sendable, CustomTestStringConvertible {
        var area: String
        var name: String
        var testDescription: String { "\(area)/\(name)" }
    }

    /// The example runes and rune fixtures (those RUNE_FUZZ_RUNES names); a filter that names
    /// none gives one case that fails, not a run of nothing.
    static let targets: [Target] = {
        let targets = ["hotg", "runes"].flatMap { area in Fixtures.cases(area).map { Target(area: area, name: $0) } }
            .filter { settings.runes?.contains($0.name) ?? true }
        return targets.isEmpty ? [Target(area: "runes", name: "<RUNE_FUZZ_RUNES names no fixture>")] : targets
    }()

    /// Native code translated once per rune for the whole run, not once per instance.
    static let nativeCodeCache = (try? Executables.temporaryFolder()).map { NativeCodeCache(folder: $0.appendingPathComponent("rune").path) }

    /// Fills the cache with `rune`'s native code by a `rune run` of its own (all-zero readings),
    /// so this process loads it rather than translating: translating links with lld in process,
    /// which enables LLVM's crash recovery over the AOT engine's guard-page handler, and other
    /// suites here fault on guard pages and recover from crashes in the toolchain.
    static func translateAhead(_ runeFile: URL, _ rune: Rune) throws {
        guard let cache = nativeCodeCache else { return }
        let folder = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = ["run", runeFile.path, "--engine", "aot"]
        for capability in rune.manifest.capabilities {
            let file = folder.appendingPathComponent(capability.name + ".bin")
            try Data(count: capability.tensor.byteCount).write(to: file)
            arguments += ["--raw", "\(capability.name)=\(file.path)"]
        }
        let cacheHome = URL(fileURLWithPath: cache.folder).deletingLastPathComponent().path
        let run = try Executables.run("rune", arguments, environment: ["XDG_CACHE_HOME": cacheHome])
        #expect(run.status == 0, "rune run --engine aot \(runeFile.lastPathComponent) failed: \(run.standardError)")
    }

    @Test(arguments: targets)
    func enginesAgreeOnRandomInputs(_ target: Target) throws {
        let settings = Self.settings
        let plan = settings.plan(for: target)
        let runeFile = try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.folder(target.area, target.name)))
        let rune = try Rune(bytes: Array(Data(contentsOf: runeFile)))
        try Self.translateAhead(runeFile, rune)
        var calls = 0, answered = 0
        for iteration in 0..<plan.iterations {
            let seed = SeededGenerator.derive(settings.seed, [target.name, String(iteration)])
            // Patterns in turn, from one the seed picks: a rune called once still meets more than zeros.
            let firstPattern = iteration * plan.calls + Int(SeededGenerator.derive(settings.seed, [target.name]) % 64)
            let inputs = rune.manifest.capabilities.map {
                FuzzedReadings(seed: SeededGenerator.derive(seed, [$0.name]), type: $0.tensor.elementType, firstPattern: firstPattern)
            }
            let interpreter = EngineRun(.interpreter, rune, inputs, calls: plan.calls)
            let aot = EngineRun(.aot, rune, inputs, calls: plan.calls)
            try #require(interpreter.instantiation == nil, "\(target.testDescription) cannot be instantiated: \(interpreter.instantiation!)")
            calls += interpreter.calls.count
            answered += interpreter.calls.filter { !$0.failed }.count
            guard let difference = interpreter.firstDifference(from: aot) else { continue }
            let replay = Self.save(inputs, rune: rune, name: "\(target.name)-\(settings.seed)-\(iteration)")
            Issue.record("""
                the engines disagree on \(target.testDescription) (RUNE_FUZZ_SEED=\(settings.seed) RUNE_FUZZ_CALLS=\(plan.calls), iteration \(iteration)), \(difference)
                readings: \(replay)
                """)
            return
        }
        // Calls that all fail alike would agree without running the pipeline.
        #expect(answered > 0, "every call failed on both engines")
        print("[fuzz] \(target.testDescription): seed \(settings.seed), \(plan.iterations) instances, \(calls) calls agree")
    }

    /// Writes the readings each capability gave (one file per call) for a replay.
    static func save(_ inputs: [FuzzedReadings], rune: Rune, name: String) -> String {
        guard let folder = try? Executables.temporaryFolder().appendingPathComponent(name) else { return "not saved" }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (capability, input) in zip(rune.manifest.capabilities, inputs) {
            for (call, reading) in input.given.enumerated() {
                try? Data(reading).write(to: folder.appendingPathComponent("\(capability.name)-\(call).bin"))
            }
        }
        return folder.path
    }

    /// The patterns, taken in turn, give every edge: zeros, 0xFF, NaN, infinities, denormals, -0;
    /// and the same seed gives the same bytes.
    @Test func patternsCoverTheEdges() {
        let readings = FuzzedReadings(seed: 1, type: .f32, firstPattern: 0)
        let patterns = (0..<FuzzedReadings.Pattern.allCases.count).map { readings.reading($0, bytes: 64) }
        #expect(patterns[0] == [UInt8](repeating: 0, count: 64))
        #expect(patterns[1] == [UInt8](repeating: 0xFF, count: 64))
        let floats = patterns.map { bytes in stride(from: 0, to: bytes.count, by: 4).map { offset in
            Float(bitPattern: bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) })
        } }.joined()
        #expect(floats.contains { $0.isNaN })
        #expect(floats.contains { $0.isInfinite })
        #expect(floats.contains { $0.isSubnormal })
        #expect(floats.contains { $0 == 0 && $0.sign == .minus })
        // Same seed, same bytes; another seed, others.
        #expect(readings.reading(5, bytes: 64) == FuzzedReadings(seed: 1, type: .f32, firstPattern: 0).reading(5, bytes: 64))
        #expect(readings.reading(5, bytes: 64) != FuzzedReadings(seed: 2, type: .f32, firstPattern: 0).reading(5, bytes: 64))
    }
}

/// The readings of one capability: reading n is a function of the seed, n and the buffer size
/// alone, so both engines get the same bytes whatever else happens.
final class FuzzedReadings {
    enum Pattern: CaseIterable {
        case zeros, ones, extremes, extremeRepeated, plausible, mixed, bytes
    }

    let seed: UInt64
    let type: ElementType
    /// The pattern of reading 0; reading n has the one after it n times, round the cycle.
    let firstPattern: Int
    /// The readings given to the first engine, for a replay.
    private(set) var given: [[UInt8]] = []

    init(seed: UInt64, type: ElementType, firstPattern: Int) {
        self.seed = seed
        self.type = type
        self.firstPattern = firstPattern
    }

    /// A capability source yielding these readings in order; `recording` keeps them.
    func source(recording: Bool) -> any CapabilitySource { Source(readings: self, recording: recording) }

    private final class Source: CapabilitySource {
        let readings: FuzzedReadings
        let recording: Bool
        var next = 0
        init(readings: FuzzedReadings, recording: Bool) {
            self.readings = readings
            self.recording = recording
        }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
            let bytes = readings.reading(next, bytes: buffer.count)
            next += 1
            if recording { readings.given.append(bytes) }
            buffer.copyBytes(from: bytes)
        }
    }

    /// Reading `index` of `count` bytes.
    func reading(_ index: Int, bytes count: Int) -> [UInt8] {
        var random = SeededGenerator(seed: SeededGenerator.derive(seed, [String(index), String(count)]))
        let pattern = Pattern.allCases[(firstPattern + index) % Pattern.allCases.count]
        let width = type.byteWidth
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        func append(_ bits: UInt64) {
            for byte in 0..<width { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(byte)))) }
        }
        let extremes = Self.extremes(type)
        let repeated = extremes[random.below(extremes.count)]
        while bytes.count + width <= count {
            switch pattern {
            case .zeros: append(0)
            case .ones: append(.max)
            case .extremes: append(extremes[random.below(extremes.count)])
            case .extremeRepeated: append(repeated)
            case .plausible: append(plausible(&random))
            case .mixed: append(random.below(4) == 0 ? extremes[random.below(extremes.count)] : plausible(&random))
            case .bytes: append(random.next())
            }
        }
        while bytes.count < count { bytes.append(pattern == .zeros ? 0 : pattern == .ones ? 0xFF : UInt8(truncatingIfNeeded: random.next())) }
        return bytes
    }

    /// A value a sensor might give: floats within ±2 (and sometimes ±1000), small integers.
    private func plausible(_ random: inout SeededGenerator) -> UInt64 {
        let unit = Double(random.next() >> 11) / Double(1 << 53) * 2 - 1
        let scale = random.below(8) == 0 ? 1000.0 : 2.0
        switch type {
        case .f32: return UInt64(Float(unit * scale).bitPattern)
        case .f64: return (unit * scale).bitPattern
        case .u8, .i8, .utf8: return UInt64(bitPattern: Int64(unit * 128))
        default: return UInt64(bitPattern: Int64(unit * scale * 100))
        }
    }

    /// Bit patterns at the edges of `type`.
    static func extremes(_ type: ElementType) -> [UInt64] {
        switch type {
        case .f32:
            return [0x0000_0000, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0x7FFF_FFFF,
                    0x0000_0001, 0x8000_0001, 0x007F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x3F80_0000, 0xBF80_0000,
                    0x4B00_0000, 0xCF00_0000, 0x4F00_0000]
        case .f64:
            return [0, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000,
                    0xFFF8_0000_0000_0000, 0x7FF0_0000_0000_0001, 0x0000_0000_0000_0001, 0x000F_FFFF_FFFF_FFFF,
                    0x0010_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF, 0xFFEF_FFFF_FFFF_FFFF, 0x3FF0_0000_0000_0000,
                    0x43E0_0000_0000_0000, 0xC3E0_0000_0000_0000]
        default:
            // Signed and unsigned: 0, ±1, both ends and their neighbours, the sign bit alone.
            let bits = UInt64(type.byteWidth * 8)
            let mask: UInt64 = bits == 64 ? .max : (1 << bits) - 1
            let sign: UInt64 = 1 << (bits - 1)
            return [0, 1, mask, mask - 1, sign, sign - 1, sign + 1, 2, 0x7F, 0x80, 0xFF]
        }
    }
}

/// One instance of a rune on one engine, fed from `inputs` and called `calls` times.
struct EngineRun {
    /// What a call gave, to the bit: log lines, then records with floats as bit patterns or the error.
    struct Call: Equatable {
        var text: String
        var failed: Bool
    }

    var calls: [Call] = []
    var instantiation: String?

    init(_ engine: RuneEngine, _ rune: Rune, _ inputs: [FuzzedReadings], calls count: Int) {
        let sources: [any CapabilitySource] = inputs.map { $0.source(recording: engine == .interpreter) }
        // A debug build interprets person_detection for longer than the default timeout.
        let limits = RunLimits(timeoutSeconds: 600)
        let instance: any RunnableRune
        do {
            switch engine {
            case .interpreter: instance = try RuneInstance(rune: rune, sources: sources, limits: limits)
            case .aot: instance = try AOTRuneInstance(rune: rune, sources: sources, limits: limits, cache: EngineFuzzTests.nativeCodeCache)
            }
        } catch {
            instantiation = "\(error)"
            return
        }
        var logs: [String] = []
        instance.logHandler = { level, message in logs.append("log \(level): \(message)") }
        instance.noteHandler = { logs.append("note: \($0)") }
        for _ in 0..<count {
            logs = []
            let outcome: String
            var failed = false
            do {
                outcome = try instance.run().map(Self.transcript).joined(separator: "\n")
            } catch {
                outcome = "error: \(error)"
                failed = true
            }
            calls.append(Call(text: (logs + [outcome]).joined(separator: "\n"), failed: failed))
        }
    }

    /// A record with every element exact: floats and doubles as bit patterns.
    static func transcript(_ record: SerialRecord) -> String {
        record.output + ": " + record.tensors.map { tensor in
            let elements: [String] = switch tensor.elements {
            case .integers(let values): values.map(String.init)
            case .unsignedIntegers(let values): values.map(String.init)
            case .floats(let values): values.map { "0x" + String($0.bitPattern, radix: 16) }
            case .doubles(let values): values.map { "0x" + String($0.bitPattern, radix: 16) }
            case .strings(let values): values.map { String(decoding: $0, as: UTF8.self).debugDescription }
            }
            return "\(tensor.type) [\(elements.joined(separator: ","))]"
        }.joined(separator: "; ")
    }

    /// Where `other` first differs from this run, said for a report; nil when they agree.
    func firstDifference(from other: EngineRun) -> String? {
        if instantiation != other.instantiation {
            return "instantiation: interpreter \(instantiation ?? "succeeded"), aot \(other.instantiation ?? "succeeded")"
        }
        for (call, (mine, theirs)) in zip(calls, other.calls).enumerated() where mine != theirs {
            return "call \(call):\n  interpreter: \(Self.excerpt(mine.text, around: theirs.text))\n  aot:         \(Self.excerpt(theirs.text, around: mine.text))"
        }
        return calls.count == other.calls.count ? nil : "interpreter made \(calls.count) calls, aot \(other.calls.count)"
    }

    /// `text` from a little before where it first differs from `other`.
    static func excerpt(_ text: String, around other: String) -> String {
        let common = zip(text, other).prefix { $0 == $1 }.count
        let start = text.index(text.startIndex, offsetBy: max(0, common - 60))
        let end = text.index(start, offsetBy: min(200, text.distance(from: start, to: text.endIndex)))
        return (start > text.startIndex ? "…" : "") + text[start..<end] + (end < text.endIndex ? "…" : "")
    }
}
