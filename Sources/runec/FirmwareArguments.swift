import ArgumentParser
import RuneCompiler

/// What configures a firmware build, the same for `runec --target cortex-m7` (the pipeline's C)
/// and `runec aot --target cortex-m7 --board B` (the translated rune).
struct FirmwareArguments: ParsableArguments {
    @Option(help: ArgumentHelp("The board of cortex-m7 firmware: portenta-h7 (Arduino Portenta H7; the default of runec --target cortex-m7) or mps2-an500 (QEMU).", valueName: "board"))
    var board: String?

    @Option(name: .customLong("embed-input"), help: ArgumentHelp(
        "Embed a recording in cortex-m7 firmware for capability NAME, converted as `rune run` converts it (WAV, PNG/BMP/JPEG, CSV or raw bytes).",
        valueName: "name=file"))
    var embeddedInputs: [String] = []

    @Option(help: ArgumentHelp("How many times cortex-m7 firmware runs the pipeline after boot; 0 runs it forever.", valueName: "n"))
    var iterations: UInt32?

    @Option(name: .customLong("random-seed"), help: ArgumentHelp("The seed of RAND capabilities in cortex-m7 firmware (as `rune run --random`).", valueName: "seed"))
    var randomSeed: UInt64?

    @Flag(name: .customLong("report-timing"), help: "Make cortex-m7 firmware print cycles per call after its runs.")
    var reportTiming = false

    @Flag(name: .customLong("quiet-outputs"), help: "Do not print output records; for benchmarks that time the calls.")
    var quietOutputs = false

    @Flag(name: .customLong("plain-kernels"), help: "Compile the int8 kernels of cortex-m7 firmware as plain C loops instead of their DSP-extension paths (same outputs; a benchmark baseline).")
    var plainKernels = false

    func validate() throws {
        if let board, Board.named(board) == nil {
            throw ValidationError("unknown board '\(board)'; runec knows " + Board.all.map(\.name).joined(separator: ", "))
        }
        for input in embeddedInputs where !input.contains("=") {
            throw ValidationError("--embed-input takes NAME=FILE, where NAME is a capability of the rune (got '\(input)')")
        }
    }

    /// The first option given other than --board, which only a firmware build takes.
    var firstGivenOption: String? {
        [("--embed-input", !embeddedInputs.isEmpty), ("--iterations", iterations != nil),
         ("--random-seed", randomSeed != nil), ("--report-timing", reportTiming),
         ("--quiet-outputs", quietOutputs), ("--plain-kernels", plainKernels)].first(where: \.1)?.0
    }

    /// The build's options, for `board`.
    func options(board: Board) -> FirmwareOptions {
        let embedded = embeddedInputs.map { input in
            let parts = input.split(separator: "=", maxSplits: 1)
            return (capability: String(parts[0]), path: String(parts.count > 1 ? parts[1] : ""))
        }
        return FirmwareOptions(board: board, embeddedInputs: embedded, iterations: iterations ?? 1,
                               randomSeed: randomSeed ?? 0, reportTiming: reportTiming, quietOutputs: quietOutputs,
                               plainKernels: plainKernels)
    }
}
