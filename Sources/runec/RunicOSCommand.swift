import ArgumentParser
import Foundation
import RuneAOT
import RuneCompiler
import RuneFiles
import RuneManifest

/// `runec runicos`: RunicOS for a board, optionally with a rune built in.
struct RunicOSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runicos",
        abstract: "Build RunicOS, the firmware that boots rune container images, for a board.",
        discussion: """
            RunicOS is built once per board. It verifies a container image (its header and \\
            SHA-256) and checks every capability its manifest declares against the board before \\
            any of its code runs, then runs it unprivileged under the MPU: the rune reaches its \\
            slot, its RAM and the OS's system-call gates, nothing else. A trap, a fault or a call \\
            past its time limit stops the rune with one JSON line on serial; the OS keeps \\
            running and takes the next rune over its serial link (MCUmgr SMP), into the \\
            inactive one of its two slots.

            With --rune, the image also carries that rune, installed into slot A at the first \\
            boot, and the inputs given with --embed-input, so it runs with no host attached.

            Examples:
              runec runicos --board mps2-an500 -o runicos.elf
              runec runicos --board mps2-an500 --rune sine.rune --embed-input rand=input.bin --iterations 3 --exit-when-done -o os.elf
              qemu-system-arm -M mps2-an500 -nographic -semihosting-config enable=on,target=native -kernel os.elf
              runec runicos --board portenta-h7 -o runicos.bin
            """)

    @Option(name: .short, help: ArgumentHelp("The output: .elf, .bin (flat, from the vector table) or .hex.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("A .rune to build in: translated, made a container image for slot A, and installed at first boot.", valueName: "file"))
    var rune: String?

    @Option(help: ArgumentHelp("The built-in rune's memory isolation: explicit-checks (the default) or mpu.", valueName: "kind"))
    var isolation: MemoryIsolation?

    @Option(name: .customLong("call-timeout-ms"), help: ArgumentHelp("Stop a call of the rune that runs longer than this, with a trap; 0 for no limit.", valueName: "ms"))
    var callTimeout: UInt32 = 10_000

    @Flag(name: .customLong("exit-when-done"), help: "Exit (through semihosting on QEMU) once the rune made its --iterations calls or was stopped, instead of waiting for the host.")
    var exitWhenDone = false

    @OptionGroup(title: "Firmware options")
    var firmwareArguments: FirmwareArguments

    func validate() throws {
        guard firmwareArguments.board != nil else {
            throw ValidationError("give the board to build RunicOS for: --board " + Board.all.map(\.name).joined(separator: "|"))
        }
        if output == "-" { throw ValidationError("RunicOS is binary; give a file with -o") }
        if let isolation, isolation == .guardPages { throw ValidationError("--isolation is explicit-checks or mpu") }
        if isolation != nil && rune == nil { throw ValidationError("--isolation is for the built-in rune; give --rune") }
    }

    func run() throws {
        guard let board = firmwareArguments.board.flatMap(Board.named) else { throw ExitCode(2) }
        try AOT.exitingOnFailure(reading: rune ?? "") {
            var options = firmwareArguments.options(board: board)
            options.iterations = firmwareArguments.iterations ?? 0
            var builtIn: (image: [UInt8], manifest: Manifest)?
            if let rune {
                let bytes = try BoundedFile.read(rune, limit: RuneLimits.maxRuneBytes, timeout: RuneLimits.defaultTimeoutSeconds, regularFileOnly: true)
                let image = try ContainerImage.translating(rune: bytes, path: rune, board: board, slot: 0, isolation: isolation)
                builtIn = (image, try ContainerImage.manifest(ofRune: bytes, path: rune))
            }
            let firmware = RunicOSFirmware(options: options, builtIn: builtIn, callTimeoutMilliseconds: callTimeout, exitWhenDone: exitWhenDone)
            let product = try firmware.build()
            for warning in product.warnings { Terminal.standardError.write("warning: \(warning)\n") }
            let formatted = try FirmwareReport.format(product.image, for: output)
            let format = FirmwareReport.outputFormat(for: output)
            try OutputFile.write(formatted, to: output, inputs: [rune].compactMap { $0 } + options.embeddedInputs.map(\.path),
                                 magic: format.magic, formatName: format.name)
            Terminal.standardError.write(FirmwareReport(board: board, size: product.size, flash: board.runicos.flash, ram: [board.runicos.ram],
                                                        what: builtIn == nil ? "RunicOS" : "RunicOS with its built-in rune").text)
        }
    }
}
