import ArgumentParser
import Foundation
import RuneLink
import RuneManifest
import RuneRuntime

/// `hmr run`: a device's rune fed from files, its records printed as `rune run` prints them.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Feed a device's rune from files and print its outputs, as 'rune run' does.",
        discussion: """
            The files are converted on this host exactly as 'rune run' converts them (same flags, \
            NAME=FILE, same errors), streamed to the device's capabilities over the link, and \
            the device calls its rune once per complete set. Each call's records are printed as \
            JSON lines on stdout, the same lines 'rune run' prints; a trap is an error on stderr \
            and exit status 1. RAND capabilities are fed by the device itself.

            The manifest comes from --rune FILE, or from the rune this machine cast to the device \
            (kept by SHA-256 under $XDG_CACHE_HOME/hammer/runes). A rune that feeds itself takes \
            no files: its next --repeat records are printed.

            Examples:
              hmr run -t qemu --sound yes.wav
              hmr run -t qemu --raw input.bin --repeat 3
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("The target (a name or a device path).", valueName: "id"))
    var target: String

    @Option(help: ArgumentHelp("The .rune the device runs, for its manifest (default: the one cast from here).", valueName: "file"))
    var rune: String?

    @Option(name: .customLong("raw"), help: ArgumentHelp("A file for a RAW capability (as 'rune run --raw').", valueName: "[name=]file"))
    var rawFiles: [String] = []
    @Option(name: .customLong("sound"), help: ArgumentHelp("A WAV file for a SOUND capability.", valueName: "[name=]file.wav"))
    var soundFiles: [String] = []
    @Option(name: .customLong("image"), help: ArgumentHelp("A PNG, BMP or JPEG file for an IMAGE capability.", valueName: "[name=]file"))
    var imageFiles: [String] = []
    @Option(name: .customLong("accel"), help: ArgumentHelp("A CSV file of x,y,z rows for an ACCEL capability.", valueName: "[name=]file.csv"))
    var accelFiles: [String] = []

    @Option(help: "How many calls.")
    var `repeat`: Int = 1

    func validate() throws {
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        do {
            let chosen = try Target.resolve([target])[0]
            let connection = try Connection(to: chosen)
            let client = connection.client
            let info = try client.runeInfo()
            guard info.hasRune else { throw HammerError("\(chosen.id) runs no rune: cast one with 'hmr targets cast'") }
            let runeFile = try runningRune(info)
            let configuration = HostConfiguration(
                files: [.raw: rawFiles.map(InputFile.init(argument:)), .sound: soundFiles.map(InputFile.init(argument:)),
                        .image: imageFiles.map(InputFile.init(argument:)), .accel: accelFiles.map(InputFile.init(argument:))])
            // No files for a rune that reads some: the device may feed it itself (RunicOS's
            // built-in rune with inputs embedded), so its own records are printed.
            let givenFiles = !(rawFiles + soundFiles + imageFiles + accelFiles).isEmpty
            let (inputs, warnings) = givenFiles || runeFile.feedsItself ? try configuration.fileInputs(for: runeFile.manifest) : ([], [])
            warnings.forEach { Output.diagnose("warning: \($0)") }
            let chunk = connection.inputChunkSize()
            // What the console said before this run is not this run's.
            _ = try client.waitForConsoleLine(timeout: 0) { _ in false }
            for _ in 0..<`repeat` {
                if inputs.isEmpty {
                    try printNextRecord(client, manifest: runeFile.manifest)
                    continue
                }
                for input in inputs { try client.streamInput(index: input.capability, data: input.bytes, chunkSize: chunk) }
                try printCall(client)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Output.fail("\(target): \(HammerError.describe(error))")
        }
    }

    /// The `.rune` the device runs: --rune (which must be it), or the one cast from here.
    private func runningRune(_ info: RuneInfo) throws -> RuneFile {
        if let rune {
            let file = try RuneFile(path: rune)
            guard file.sha256 == info.runeSHA256 else {
                throw HammerError("'\(rune)' is not the rune \(target) runs (\(info.shortDigest)); cast it first with 'hmr targets cast -t \(target) \(rune)'")
            }
            return file
        }
        guard let bytes = ImageCache().rune(sha256: info.runeSHA256) else {
            throw HammerError("\(target) runs rune \(info.shortDigest), which was not cast from this machine: give --rune FILE")
        }
        return try RuneFile(bytes: bytes, path: "rune \(info.shortDigest)")
    }

    /// Prints the records of the call just fed, up to the device's `called` event.
    private func printCall(_ client: SMPClient) throws {
        var trap: String?
        let end = try client.waitForConsoleLine(timeout: HammerLimits.callSeconds) { line in
            if line.hasPrefix("{\"event\":\"called\"") { return true }
            if line.contains("\"error\":\"trap\"") { trap = line } else if line.hasPrefix("{") { Output.print(line) } else { Output.diagnose(line) }
            return false
        }
        if let trap { throw Output.fail("the rune trapped: \(trap)") }
        guard end != nil else { throw HammerError("the device did not finish the call within \(HammerLimits.callSeconds) s") }
    }

    /// A rune that feeds itself: its next record line.
    private func printNextRecord(_ client: SMPClient, manifest: Manifest) throws {
        guard let line = try client.waitForConsoleLine(timeout: HammerLimits.callSeconds, where: { $0.hasPrefix("{") && !$0.contains("\"event\"") }) else {
            let fed = manifest.capabilities.filter { $0.kindID != .rand }
            let hint = fed.isEmpty ? "" : "; the rune reads \(fed.map { "'\($0.name)' (\($0.kind))" }.joined(separator: ", ")): give its files (--raw, --sound, --image, --accel)"
            throw HammerError("no record within \(HammerLimits.callSeconds) s\(hint)")
        }
        if line.contains("\"error\"") { throw Output.fail("the rune trapped: \(line)") }
        Output.print(line)
    }
}
