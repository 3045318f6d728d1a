import ArgumentParser
import Foundation
import RuneAOT
import RuneFiles
import RuneManifest

/// `runec aot`: a rune translated to native code by the AOT engine's translator, written out.
struct AOT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aot",
        abstract: "Translate a .rune to native code for this host (what 'rune run' loads).",
        discussion: """
            The same translation 'rune run' performs on the aot engine, written to a file: a \
            relocatable object, the shared object the engine loads, or the optimised LLVM IR. \
            Only '--target host' exists for now; the code is tuned for this machine's CPU.

            Examples:
              runec aot app.rune -o app.so
              runec aot app.rune --emit object -o app.o
              runec aot app.rune --emit llvm-ir
            """)

    @Argument(help: "The .rune file.")
    var rune: String

    @Option(help: ArgumentHelp("The machine to translate for: host.", valueName: "target"))
    var target: String = "host"

    @Option(help: ArgumentHelp("What to write: shared (the default), object or llvm-ir.", valueName: "kind"))
    var emit: AOTCompiler.Emit = .shared

    @Option(name: .short, help: ArgumentHelp("The output file; '-' or none for stdout with --emit llvm-ir.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard target == "host" else { throw ValidationError("unknown target '\(target)'; the only target is host") }
        if emit != .llvmIR && (output == nil || output == "-") {
            throw ValidationError("--emit \(emit.rawValue) writes binary code; give a file with -o")
        }
    }

    func run() throws {
        do {
            let bytes = try BoundedFile.read(rune, limit: RuneLimits.maxRuneBytes, timeout: RuneLimits.defaultTimeoutSeconds,
                                             regularFileOnly: true)
            let code = try AOTCompiler.compile(bytes, target: .host, emit: emit)
            if let output, output != "-" {
                let elf: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
                try OutputFile.write(code, to: output, inputs: [rune], magic: emit == .llvmIR ? nil : elf,
                                     formatName: emit == .llvmIR ? "LLVM IR" : "an ELF file")
            } else {
                FileHandle.standardOutput.write(Data(code))
            }
        } catch let error as BoundedFile.Failure {
            Terminal.standardError.write("error: cannot read '\(rune)': \(error)\n")
            throw ExitCode(1)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

extension AOTCompiler.Emit: ExpressibleByArgument {}
