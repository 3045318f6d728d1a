import ArgumentParser
import Foundation
import RuneCompiler
import RuneFiles
import RuneFrontEnd
import RuneManifest
import RuneRegistry

/// `runec build`: Runefile in, rune out.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a Runefile (the default subcommand).",
        discussion: """
            RUNEFILE is a Dockerfile-like 'Runefile', a 'Runefile.yml', or a folder holding one. \
            Errors are printed to stderr with file:line:column; no output file is written unless \
            compilation succeeds, and it is written atomically.

            Every diagnostic has a code; 'runec --explain CODE' prints what it means, an example \
            and its correction.

            Exit status: 0 on success, 1 when the Runefile has errors, 64 for bad command-line usage.
            """)

    @Argument(help: "The Runefile, Runefile.yml, or a folder holding one.")
    var runefile: String?

    @Option(help: ArgumentHelp(
        "Explain a diagnostic code (E0101, W0001, ...) with an example, and exit.",
        valueName: "code"))
    var explain: String?

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Where to write the result ('-' for stdout).",
        discussion: "Defaults to <name>.rune in the current folder, where <name> is the Runefile's folder; text from --emit goes to stdout.",
        valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("What to produce: wasm (the .rune), c, llvm-ir, ir (the checked pipeline) or syntax (the parse tree).", valueName: "kind"))
    var emit: EmitKind = .binary

    @Flag(help: "Optimization: -Os (small, the default), -O2 (fast) or -O0 (none).")
    var optimization: Optimization = .size

    @Flag(name: .customShort("g"), help: "Keep symbol names and debug information in the output.")
    var debugInfo = false

    @Option(help: ArgumentHelp("The machine to compile for: wasm32 (a .rune) or cortex-m7 (firmware).", valueName: "target"))
    var target: CompilationTarget = .wasm32

    @OptionGroup(title: "Firmware options")
    var firmwareArguments: FirmwareArguments

    @Flag(help: ArgumentHelp(
        "Find the base of a 'FROM REGISTRY/REPO:TAG' in the pull cache only, never on a network.",
        discussion: "Without it, the base is pulled from its registry (logins from 'rune login' or RUNE_REGISTRY_USERNAME/RUNE_REGISTRY_PASSWORD) and kept by digest in the cache, $XDG_CACHE_HOME/rune/oci (default ~/.cache/rune/oci), which 'rune pull' fills too."))
    var offline = false

    @OptionGroup(title: "Registry options (FROM REGISTRY/REPO:TAG)")
    var registry: RegistryOptions

    @Flag(help: ArgumentHelp(
        "Do not store the Runefile and the files it names in the rune.",
        discussion: "By default a .rune carries its Runefile, models and C blocks (the 'rune.sources' section), which roughly doubles its size, so that another Runefile can build on it with FROM. A rune built with --no-sources is smaller but cannot be a FROM base."))
    var noSources = false

    @Option(name: .customLong("resource"), help: ArgumentHelp(
        "Give a Runefile.yml resource its value from a file (repeatable).",
        discussion: "For a 'resources:' entry declared without 'path' or 'inline' (such as 'MODEL: {type: binary}', used as 'model: $MODEL'), and to replace the value of one that has them. FILE is relative to the current folder; a binary resource holds at most \(BoundedFile.describe(bytes: RuneLimits.maxModelBytes)), a string resource at most \(BoundedFile.describe(bytes: RuneLimits.maxStringBytes)) of UTF-8 text. The file is compiled in and stored with the Runefile, so a FROM build on this rune keeps it. The original Rune took such resources when the rune ran; runec compiles models and arguments to code with every buffer planned at compile time, so they are given here, and 'rune run' takes none.",
        valueName: "name=file"))
    var resources: [String] = []

    @Flag(help: "Print the result and diagnostics as JSON on stdout.")
    var json = false

    func validate() throws {
        if let explain {
            guard DiagnosticCode.named(explain) != nil else {
                throw ValidationError("unknown diagnostic code '\(explain)'; codes are "
                    + DiagnosticCode.all.map(\.rawValue).joined(separator: ", "))
            }
            return
        }
        guard runefile != nil else { throw ValidationError("Missing expected argument '<runefile>'") }
        if target != .cortexM7,
           let flag = firmwareArguments.board != nil ? "--board" : firmwareArguments.firstGivenOption {
            throw ValidationError("\(flag) applies to firmware only; add '--target cortex-m7' to build firmware")
        }
        _ = try suppliedResources()
        if noSources && target == .cortexM7 {
            throw ValidationError("--no-sources applies to .rune builds; firmware never stores sources")
        }
        if target == .cortexM7, emit == .binary, let output, output != "-" {
            let known = ["elf", "bin", "hex"]
            let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
            guard known.contains(ext) else {
                throw ValidationError("firmware is written as .elf, .bin (flat image) or .hex (Intel HEX); '\(output)' has none of these extensions")
            }
        }
    }

    func run() throws {
        if let explain, let code = DiagnosticCode.named(explain) {
            print(code.explanation.rendered(for: code), terminator: "")
            return
        }
        guard let runefile else { throw ExitCode.validationFailure }
        let firmware = firmwareArguments.options(board: firmwareArguments.board.flatMap(Board.named) ?? .portentaH7)
        let options = CompilerOptions(emit: emit, target: target, optimization: optimization.level, debugInfo: debugInfo,
                                      firmware: firmware, offline: offline, storeSources: !noSources,
                                      resources: try suppliedResources())
        let provider = RegistryBaseRuneProvider(options: registry.connection)
        let result = Compiler(baseProvider: provider).compile(path: runefile, options: options)
        let destination = output ?? defaultOutput(runefile: runefile)
        if json {
            printJSON(result, destination: destination)
        } else if !result.diagnostics.isEmpty {
            Terminal.standardError.write(result.renderedDiagnostics(colored: Terminal.standardError.supportsColor))
        }
        guard result.succeeded, var artifact = result.artifact else { throw ExitCode(1) }
        if let size = result.firmwareSize {
            if !json { Terminal.standardError.write(FirmwareReport(board: firmware.board, size: size).text) }
            do {
                artifact = try FirmwareReport.format(artifact, for: destination)
            } catch {
                Terminal.standardError.write("error: \(error)\n")
                throw ExitCode(1)
            }
        }
        do {
            if destination == "-" {
                FileHandle.standardOutput.write(Data(artifact))
            } else {
                let (magic, formatName) = outputFormat(destination)
                try OutputFile.write(artifact, to: destination,
                                     inputs: inputFiles(result, runefile: runefile, embedded: firmware.embeddedInputs.map(\.path)),
                                     magic: magic, formatName: formatName)
            }
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// `--resource NAME=FILE` flags by name; a malformed or repeated one is a usage error.
    private func suppliedResources() throws -> [String: String] {
        var supplied: [String: String] = [:]
        for flag in resources {
            guard let equals = flag.firstIndex(of: "=") else {
                throw ValidationError("--resource takes NAME=FILE, e.g. '--resource MODEL=./model.tflite'; '\(flag)' has no '='")
            }
            let name = String(flag[..<equals])
            let file = String(flag[flag.index(after: equals)...])
            guard !name.isEmpty, !file.isEmpty else {
                throw ValidationError("--resource takes NAME=FILE, a resource the Runefile.yml declares and a file; '\(flag)' lacks one")
            }
            guard supplied.updateValue(file, forKey: name) == nil else {
                throw ValidationError("--resource \(name) is given twice")
            }
        }
        return supplied
    }

    /// Every file this compile read: none of them may become its output.
    private func inputFiles(_ result: CompilationResult, runefile: String, embedded: [String]) -> [String] {
        let runefilePath = Compiler.locateRunefile(runefile)
        let folder = URL(fileURLWithPath: runefilePath).deletingLastPathComponent()
        var files = [runefilePath] + embedded + result.sources.map(\.path)
        files += ((try? suppliedResources()) ?? [:]).values
        for stage in result.pipeline?.stages ?? [] {
            switch stage.operation {
            case let .model(model): files.append(model.resolvedPath)
            case let .userBlock(path, _): files.append(folder.appendingPathComponent(path).path)
            default: break
            }
        }
        return files
    }

    /// The magic number an existing output must start with before it is replaced.
    private func outputFormat(_ destination: String) -> ([UInt8]?, String) {
        guard emit == .binary else { return (nil, "an output of runec") }
        switch target {
        case .wasm32:
            return ([0x00, 0x61, 0x73, 0x6d], "a WebAssembly module")
        case .cortexM7:
            return FirmwareReport.outputFormat(for: destination)
        }
    }

    private func defaultOutput(runefile: String) -> String {
        switch emit {
        case .binary:
            let name = Compiler.runeName(for: Compiler.locateRunefile(runefile))
            return target == .wasm32 ? "\(name).rune" : "\(name).elf"
        case .c, .llvmIR, .ir, .syntax:
            return "-"
        }
    }

    private func printJSON(_ result: CompilationResult, destination: String) {
        let diagnostics: [[String: Any]] = result.diagnostics.map { diagnostic in
            var entry: [String: Any] = [
                "severity": diagnostic.severity.rawValue,
                "code": diagnostic.code.rawValue,
                "message": diagnostic.message,
            ]
            if let range = diagnostic.range { entry.merge(Build.location(range)) { $1 } }
            if let label = diagnostic.label { entry["label"] = label }
            if let help = diagnostic.help { entry["help"] = help }
            if !diagnostic.notes.isEmpty {
                entry["notes"] = diagnostic.notes.map { note -> [String: Any] in
                    var object: [String: Any] = ["message": note.message]
                    if let range = note.range { object.merge(Build.location(range)) { $1 } }
                    return object
                }
            }
            return entry
        }
        var object: [String: Any] = ["success": result.succeeded, "diagnostics": diagnostics]
        if result.succeeded {
            object["output"] = destination
            object["bytes"] = result.artifact?.count ?? 0
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

extension Build {
    /// A source range as JSON fields: file, line, column and the length of the span in characters.
    static func location(_ range: SourceRange) -> [String: Any] {
        ["file": range.start.file, "line": range.start.line, "column": range.start.column, "length": range.length]
    }
}

/// `-Os`, `-O2`, `-O0`.
enum Optimization: String, EnumerableFlag {
    case size
    case speed
    case none

    var level: OptimizationLevel {
        switch self {
        case .size: .size
        case .speed: .speed
        case .none: .none
        }
    }

    static func name(for value: Optimization) -> NameSpecification {
        switch value {
        case .size: [.customLong("Os", withSingleDash: true)]
        case .speed: [.customLong("O2", withSingleDash: true)]
        case .none: [.customLong("O0", withSingleDash: true)]
        }
    }

    static func help(for value: Optimization) -> ArgumentHelp? {
        switch value {
        case .size: "Optimize for size (default)."
        case .speed: "Optimize for speed."
        case .none: "Do not optimize."
        }
    }
}

extension EmitKind: ExpressibleByArgument {}
extension CompilationTarget: ExpressibleByArgument {}
