internal import CLLVMBridge
import Foundation

/// lld, in-process. lld reads and writes files, so each link runs in a private temporary
/// directory that is removed afterwards.
struct Linker {
    var plan: BuildPlan

    func link(object: [UInt8]) throws(ToolchainError) -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("runec-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .link("cannot create a temporary directory: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }

        let objectPath = directory.appendingPathComponent("rune.o").path
        let outputPath = directory.appendingPathComponent(plan.target == .wasm32 ? "rune.wasm" : "rune.elf").path
        guard FileManager.default.createFile(atPath: objectPath, contents: Data(object)) else {
            throw .link("cannot write \(objectPath)")
        }
        var arguments = commandLine(object: objectPath, output: outputPath)
        for (index, extra) in plan.objects.enumerated() {
            let path = directory.appendingPathComponent("object-\(index).o").path
            guard FileManager.default.createFile(atPath: path, contents: Data(extra)) else {
                throw .link("cannot write \(path)")
            }
            arguments.append(path)
        }
        if let script = plan.linkerScript {
            let scriptPath = directory.appendingPathComponent("board.ld").path
            guard FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8)) else {
                throw .link("cannot write \(scriptPath)")
            }
            arguments += ["-T", scriptPath]
        }
        var messages: UnsafeMutablePointer<CChar>?
        let flavor: RuneLinkerFlavor = plan.target == .wasm32 ? RuneLinkerWasm : RuneLinkerELF
        let succeeded = withCStrings(arguments) { argv in
            RuneLink(flavor, argv, UInt32(arguments.count), &messages)
        }
        let text = messages.map { String(cString: $0) } ?? ""
        RuneDisposeMessage(messages)
        guard succeeded, let linked = FileManager.default.contents(atPath: outputPath) else {
            throw .link(text.isEmpty ? "link failed" : text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return Array(linked)
    }

    func commandLine(object: String, output: String) -> [String] {
        var arguments: [String]
        switch plan.target {
        case .wasm32:
            arguments = ["wasm-ld", object, "-o", output, "--no-entry", "--gc-sections", "--stack-first",
                         "-z", "stack-size=\(Linker.wasmStackBytes)"]
        case .cortexM7:
            arguments = ["ld.lld", object, "-o", output, "--gc-sections", "-static", "--nostdlib"]
        }
        if !plan.debugInfo {
            arguments.append("--strip-all")
        }
        return arguments + plan.linkerArguments
    }

    /// The wasm shadow stack. Kernels keep their working set in the static arena, so a small
    /// stack suffices; `--stack-first` makes an overflow trap instead of corrupting data.
    static let wasmStackBytes = 16 * 1024
}
