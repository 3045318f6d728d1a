import ArgumentParser
import Foundation
import RuneAOT
import RuneCompiler
import RuneFiles
import RuneManifest

/// `runec aot`: a rune translated to native code by the AOT engine's translator, written out:
/// for this host (what `rune run` loads), or for a Cortex-M7, as an object or as firmware.
struct AOT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aot",
        abstract: "Translate a .rune to native code, for this host or a Cortex-M7.",
        discussion: """
            The same translation 'rune run' performs on the aot engine, written to a file: a \
            relocatable object, the shared object the engine loads, or the optimised LLVM IR. \
            Host code is tuned for this machine's CPU.

            With '--target cortex-m7' the code is for a Cortex-M7 (thumbv7em-none-eabihf): its \
            memory accesses carry explicit bounds checks, and the object also holds what \
            instantiation needs (memory, data, globals, table), described by its one symbol, \
            'rune_aot_descriptor'. With '--board', runec links it into bootable firmware that runs \
            the rune sandboxed, as 'runec --target cortex-m7' runs it directly.

            Examples:
              runec aot app.rune -o app.so
              runec aot app.rune --emit object -o app.o
              runec aot app.rune --emit llvm-ir
              runec aot app.rune --target cortex-m7 -o app.o
              runec aot app.rune --target cortex-m7 --board mps2-an500 --embed-input audio=clip.wav -o app.elf
              runec aot app.rune --board mps2-an500 -o app.rimg
              runec aot app.rune --board mps2-an500 --slot b -o app-b.rimg

            With '-o FILE.rimg' the rune becomes a RunicOS container image: its code linked at the \
            board's slot A (or --slot b) address, its manifest, and the SHA-256 of the .rune, for \
            RunicOS to verify and run unprivileged under the MPU (see 'runec runicos').
            """)

    @Argument(help: "The .rune file.")
    var rune: String

    @Option(help: ArgumentHelp("The machine to translate for: host (the default) or cortex-m7 (the default with --board).", valueName: "target"))
    var target: String?

    @Option(help: ArgumentHelp(
        "How cortex-m7 code keeps memory accesses in bounds: explicit-checks (the default; traps as WebAssembly does) or mpu (no checks in code: only the MPU confines the rune, under RunicOS).",
        valueName: "kind"))
    var isolation: MemoryIsolation?

    @Option(help: ArgumentHelp("The RunicOS slot a container image (-o app.rimg) is linked for: a (the default) or b.", valueName: "slot"))
    var slot: String?

    @Option(help: ArgumentHelp(
        "What to write: shared, object or llvm-ir. The default is shared for the host, object for cortex-m7, and firmware with --board.",
        valueName: "kind"))
    var emit: AOTCompiler.Emit?

    @Option(name: .short, help: ArgumentHelp("The output file; '-' or none for stdout with --emit llvm-ir.", valueName: "file"))
    var output: String?

    @OptionGroup(title: "Firmware options")
    var firmwareArguments: FirmwareArguments

    var targetName: String { target ?? (firmwareArguments.board != nil ? "cortex-m7" : "host") }
    var nativeTarget: NativeTarget { NativeTarget.named[targetName] ?? .host }
    /// Whether the output is a RunicOS container image rather than firmware.
    var writesContainerImage: Bool { output.map { URL(fileURLWithPath: $0).pathExtension.lowercased() == "rimg" } ?? false }
    var slotIndex: Int { slot?.lowercased() == "b" ? 1 : 0 }

    func validate() throws {
        guard let target = NativeTarget.named[targetName] else {
            throw ValidationError("unknown target '\(targetName)'; the targets are host and cortex-m7")
        }
        let board = firmwareArguments.board
        if board != nil {
            guard target.isBareMetal else { throw ValidationError("--board needs --target cortex-m7") }
            if let emit { throw ValidationError("--board links firmware; it takes no --emit (got --emit \(emit.rawValue))") }
        } else if let option = firmwareArguments.firstGivenOption {
            throw ValidationError("\(option) configures firmware; give --target cortex-m7 and --board")
        }
        if firmwareArguments.plainKernels {
            throw ValidationError("--plain-kernels chooses how runec compiles a pipeline's C; a .rune's kernels are already WebAssembly")
        }
        if let slot, !["a", "b"].contains(slot.lowercased()) { throw ValidationError("--slot is a or b (got '\(slot)')") }
        if slot != nil && !writesContainerImage { throw ValidationError("--slot is for a RunicOS container image: give --board and -o FILE.rimg") }
        if writesContainerImage {
            guard board != nil else { throw ValidationError("a container image (.rimg) is for a board: give --board") }
            if let option = firmwareArguments.firstGivenOption {
                throw ValidationError("\(option) configures firmware; a container image takes its inputs from RunicOS (see runec runicos)")
            }
        }
        if let isolation {
            guard target.isBareMetal, isolation != .guardPages else {
                throw ValidationError("--isolation is for cortex-m7: explicit-checks or mpu")
            }
            if isolation == .mpu && !writesContainerImage {
                throw ValidationError("--isolation mpu leaves code unchecked: only a RunicOS container image (-o FILE.rimg) runs under the MPU")
            }
        }
        if target.isBareMetal && emit == .shared {
            throw ValidationError("cortex-m7 has no dynamic loader: use --emit object, or --board to link firmware")
        }
        if (board != nil || resolvedEmit != .llvmIR) && (output == nil || output == "-") {
            throw ValidationError("\(board != nil ? "firmware" : "--emit \(resolvedEmit.rawValue)") is binary; give a file with -o")
        }
    }

    var resolvedEmit: AOTCompiler.Emit { emit ?? (nativeTarget.isBareMetal ? .object : .shared) }

    func run() throws {
        try Self.exitingOnFailure(reading: rune) {
            let bytes = try BoundedFile.read(rune, limit: RuneLimits.maxRuneBytes, timeout: RuneLimits.defaultTimeoutSeconds,
                                             regularFileOnly: true)
            let elf: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
            if let board = firmwareArguments.board.flatMap(Board.named), let output, writesContainerImage {
                let image = try containerImage(bytes, board: board)
                try OutputFile.write(image, to: output, inputs: [rune], magic: Array("RIMG".utf8), formatName: "a RunicOS container image")
                return
            }
            if let board = firmwareArguments.board.flatMap(Board.named), let output {
                let image = try firmware(bytes, board: board)
                let formatted = try FirmwareReport.format(image, for: output)
                let format = FirmwareReport.outputFormat(for: output)
                try OutputFile.write(formatted, to: output, inputs: [rune] + firmwareArguments.options(board: board).embeddedInputs.map(\.path),
                                     magic: format.magic, formatName: format.name)
                return
            }
            let code = try AOTCompiler.compile(bytes, target: nativeTarget, isolation: isolation, emit: resolvedEmit)
            if let output, output != "-" {
                try OutputFile.write(code, to: output, inputs: [rune], magic: resolvedEmit == .llvmIR ? nil : elf,
                                     formatName: resolvedEmit == .llvmIR ? "LLVM IR" : "an ELF file")
            } else {
                FileHandle.standardOutput.write(Data(code))
            }
        }
    }

    /// Runs `body`, printing any failure as `error:` lines on stderr and exiting with 1.
    static func exitingOnFailure(reading path: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as BoundedFile.Failure {
            Terminal.standardError.write("error: cannot read '\(path)': \(error)\n")
            throw ExitCode(1)
        } catch let error as AOTFirmware.Failure {
            for message in error.messages { Terminal.standardError.write("error: \(message)\n") }
            throw ExitCode(1)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    private func containerImage(_ bytes: [UInt8], board: Board) throws -> [UInt8] {
        let image = try ContainerImage.translating(rune: bytes, path: rune, board: board, slot: slotIndex, isolation: isolation)
        Terminal.standardError.write("container image for slot \(slotIndex == 0 ? "A" : "B") of \(board.name): \(image.count) bytes\n")
        return image
    }

    /// The rune translated for the board and linked with the Cortex-M runtime and its AOT host.
    private func firmware(_ bytes: [UInt8], board: Board) throws -> [UInt8] {
        let manifest = try ContainerImage.manifest(ofRune: bytes, path: rune)
        let object = try AOTCompiler.compile(bytes, target: nativeTarget, isolation: isolation, emit: .object)
        let product = try AOTFirmware(options: firmwareArguments.options(board: board), manifest: manifest).build(object: object)
        for warning in product.warnings { Terminal.standardError.write("warning: \(warning)\n") }
        Terminal.standardError.write(FirmwareReport(board: board, size: product.size).text)
        return product.image
    }
}

extension AOTCompiler.Emit: ExpressibleByArgument {}
extension MemoryIsolation: ExpressibleByArgument {}
