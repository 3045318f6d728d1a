import ArgumentParser
import Foundation
import RuneLink

/// `hmr targets cast`: a rune deployed to one or more targets, verified and health-checked.
struct Cast: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy a rune to targets, verified, activated and health-checked.",
        discussion: """
            Each target goes through these steps, in parallel with the others:
              Verifying provider     the device answers as RunicOS, of a known board and ABI
              Checking capabilities  the rune's manifest against the board's; a capability the \
            board lacks is named and the rune refused before any upload
              Preparing image        the AOT engine translates the rune for the device's inactive \
            slot (cached under $XDG_CACHE_HOME/hammer by rune SHA-256, board, slot and engine version)
              Uploading rune         chunks sized from the device's buffer stream, as many in \
            flight as it takes (its buf_count, at most \(SMPClient.uploadWindowLimit)); a chunk it misses \
            sends the upload back to the offset it names; a lost link reconnects \
            and resumes where the device stopped (up to \(HammerLimits.uploadAttempts) attempts, with backoff); \
            a request waits \(HammerLimits.requestSeconds) s (the first chunk, which erases the slot, \
            \(HammerLimits.eraseSeconds) s) and is resent \(HammerLimits.requestRetries) times; \
            all of it within --upload-timeout
              Verifying rune         the device's SHA-256 of the slot equals the uploaded image's
              Activating             the device runs the new rune (it swaps slots itself once \
            the image verifies)
              Health check           the first call succeeds with no trap: a rune that feeds \
            itself makes it alone; a rune fed by the host is fed one set of all-zero tensors
            A failure names its step and reason. Until activation the previous rune keeps \
            running: a refused, failed or interrupted upload never replaces it. The device keeps \
            what an interrupted upload sent: casting the same rune again resumes it.

            Upload timeout: by default \(UploadTimeout.format(HammerLimits.eraseSeconds)) for the slot \
            erase plus \(Int(HammerLimits.uploadTimeoutWireFactor)) times the image's time on the wire at \
            the target's baud rate (115200 for a TCP target, which may be a bridged UART), and at \
            least \(UploadTimeout.format(HammerLimits.uploadTimeoutMinimumSeconds)): a 42 KB image over 115200 \
            baud gets \(UploadTimeout.format(UploadTimeout.defaultSeconds(imageBytes: 42_640, address: .tcp(host: "", port: 1)))). A device that stops answering would otherwise hold a cast for every \
            retry and reconnect, about 10 minutes. Raise it for a line known to be slow or lossy.

            Output: progress bars on a terminal, plain lines otherwise, JSON events with --json. \
            Exit status 1 if any target failed.

            Examples:
              hmr targets cast -t qemu sine.rune
              hmr targets cast -t dev1,dev2 --json microspeech.rune
              hmr targets cast --all sine.rune
              hmr targets cast -t board --upload-timeout 600 big.rune
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("Targets to cast to (names or device paths), comma-separated or repeated.", valueName: "id"))
    var target: [String] = []

    @Flag(help: "Cast to every target that answers 'hmr targets ls'.")
    var all = false

    @Flag(help: "One JSON event per line on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Upload chunks in flight at most (1: wait for each answer, as one-request-at-a-time clients do). Default: what the device takes.", valueName: "n"))
    var uploadWindow: Int?

    @Option(help: ArgumentHelp("Give up an upload (each target's) after this long, whatever its retries and reconnects have left. Default: from the image's size and the link's baud rate (see 'Upload timeout' above).", valueName: "seconds"))
    var uploadTimeout: Double?

    @Argument(help: "The .rune file.")
    var rune: String

    func validate() throws {
        guard all != !target.isEmpty else { throw ValidationError("give -t ID[,ID...] or --all (one of them)") }
        if let uploadWindow, uploadWindow < 1 { throw ValidationError("--upload-window must be at least 1") }
        if let uploadTimeout, !(uploadTimeout > 0 && uploadTimeout.isFinite) {
            throw ValidationError("--upload-timeout must be a positive number of seconds")
        }
    }

    func run() throws {
        let runeFile: RuneFile
        let targets: [Target]
        do {
            runeFile = try RuneFile(path: rune)
            if all {
                targets = Probe.all(try Target.all()).filter { $0.info != nil }.map(\.target)
                guard !targets.isEmpty else { throw HammerError("--all: no target answers (see 'hmr targets ls')") }
            } else {
                targets = try Target.resolve(target)
            }
        } catch {
            throw Output.fail("\(error)")
        }
        let reporter: any CastReporter = json ? JSONCastReporter()
            : Output.isTerminal ? TerminalCastReporter(targets: targets.map(\.id)) as any CastReporter : PlainCastReporter()
        let cache = ImageCache()
        let results = Parallel.map(targets) { target in
            Caster(target: target, rune: runeFile, cache: cache, reporter: reporter, uploadWindow: uploadWindow,
                   uploadTimeout: uploadTimeout).cast()
        }
        let failed = results.compactMap { $0 }.count
        if failed > 0 {
            if !json { Output.diagnose("error: \(failed) of \(targets.count) casts failed") }
            throw ExitCode(1)
        }
    }
}
