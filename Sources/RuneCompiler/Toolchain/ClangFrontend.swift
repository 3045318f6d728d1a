internal import CLLVM
internal import CLLVMBridge
import Foundation
import RuneManifest

/// clang, in-process: compiles one C translation unit into an LLVM module.
struct ClangFrontend {
    var plan: BuildPlan

    /// clang -cc1 arguments shared by every unit. The optimization level only shapes the IR's
    /// attributes here; the pass pipeline runs once, after the units are linked.
    func arguments(for unit: BuildPlan.TranslationUnit) -> [String] {
        var arguments = plan.target.frontendArguments
        arguments += [
            "-emit-llvm-only", "-disable-llvm-passes",
            // Strict C11 turns trigraphs on; no generated or hand-written C wants them.
            "-ffreestanding", "-fno-common", "-std=c11", "-fno-trigraphs", "-nostdsysteminc",
            // No fused multiply-add: wasm rounds every multiply and add, and Cortex-M7's VFMA
            // would round once, so the same rune would give different floats on each target.
            "-ffp-contract=off",
            "-Wall", "-Wno-unused-function",
            plan.optimization == .none ? "-O0" : plan.optimization.frontendArgument,
        ]
        if plan.optimization == .none {
            // Keep -O0 code free of `optnone`, so a later pipeline could still optimize it.
            arguments += ["-disable-O0-optnone"]
        }
        if plan.debugInfo {
            arguments += ["-debug-info-kind=limited", "-dwarf-version=4"]
        }
        for directory in plan.includeDirectories {
            arguments += ["-I", directory]
        }
        for definition in unit.definitions {
            arguments += ["-D", definition]
        }
        if unit.isUserBlock {
            // Untrusted C: clang's own limits, explicit, and a bounded number of errors.
            arguments += ["-fbracket-depth", "\(RuneLimits.maxBlockBracketDepth)", "-ferror-limit", "20"]
        }
        arguments += ["-x", "c", unit.path]
        return arguments
    }

    /// Compiles `unit`; throws with clang's diagnostics if it fails. Warnings are returned, and
    /// for a user's block the symbols it uses without defining them, with where.
    func compile(_ unit: BuildPlan.TranslationUnit, in context: LLVMContextRef) throws(ToolchainError)
        -> (module: LLVMModuleRef, warnings: [ClangDiagnostic], undefinedSymbols: [String: ClangDiagnostic])
    {
        var files = plan.headers
        if let source = unit.source { files[unit.path] = source }
        let collector = DiagnosticCollector()
        let arguments = arguments(for: unit)

        let module: LLVMModuleRef? = withCStrings(arguments) { argv in
            withVirtualFiles(files) { virtualFiles in
                let box = Unmanaged.passUnretained(collector).toOpaque()
                let handler: RuneDiagnosticHandler = { context, severity, file, line, column, message in
                    let collector = Unmanaged<DiagnosticCollector>.fromOpaque(context!).takeUnretainedValue()
                    collector.add(severity: severity, file: file, line: line, column: column, message: message)
                }
                guard let confinement = unit.confinement else {
                    return RuneClangCompile(context, argv, UInt32(arguments.count),
                                            virtualFiles.baseAddress, UInt32(virtualFiles.count), nil, handler, box)
                }
                return confinement.withCString { folder in
                    var policy = RuneBlockPolicy(
                        confinement: folder, maxFileBytes: UInt64(RuneLimits.maxBlockSourceBytes),
                        maxTokens: UInt64(RuneLimits.maxBlockTokens), maxSeconds: RuneLimits.maxBlockFrontEndSeconds,
                        symbolHandler: { context, symbol, file, line, column in
                            let collector = Unmanaged<DiagnosticCollector>.fromOpaque(context!).takeUnretainedValue()
                            collector.addSymbol(symbol, file: file, line: line, column: column)
                        })
                    return RuneClangCompile(context, argv, UInt32(arguments.count),
                                            virtualFiles.baseAddress, UInt32(virtualFiles.count), &policy, handler, box)
                }
            }
        }
        if let confinement = unit.confinement {
            collector.diagnostics = collector.diagnostics.map { Self.unlocatedOutside(confinement, $0) }
        }
        guard let module, !collector.diagnostics.contains(where: { $0.severity == .error }) else {
            if let module { LLVMDisposeModule(module) }
            if collector.diagnostics.isEmpty {
                collector.diagnostics.append(ClangDiagnostic(severity: .error, file: "", line: 0, column: 0,
                                                             message: "clang failed without saying why"))
            }
            throw .compilation(unit: unit.path, diagnostics: collector.diagnostics)
        }
        return (module, collector.diagnostics.filter { $0.severity != .error }, collector.symbols)
    }

    /// A diagnostic about a user's block keeps its location only in files the block may read, so
    /// whoever quotes the line quotes nothing from elsewhere.
    static func unlocatedOutside(_ confinement: String, _ diagnostic: ClangDiagnostic) -> ClangDiagnostic {
        guard !diagnostic.file.isEmpty, !diagnostic.file.hasPrefix(RuntimeLibrary.root + "/"),
              !isInside(diagnostic.file, folder: confinement) else { return diagnostic }
        var unlocated = diagnostic
        unlocated.file = ""
        unlocated.line = 0
        unlocated.column = 0
        return unlocated
    }

    /// Whether `path` is inside `folder`, after resolving `..` and symlinks.
    static func isInside(_ path: String, folder: String) -> Bool {
        func canonical(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        guard let file = canonical(path), let root = canonical(folder) else { return false }
        return file.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}

/// Receives diagnostics from the C++ side.
private final class DiagnosticCollector {
    var diagnostics: [ClangDiagnostic] = []
    /// Symbols a user's block uses without defining them, and where each is first used.
    var symbols: [String: ClangDiagnostic] = [:]

    func addSymbol(_ symbol: UnsafePointer<CChar>?, file: UnsafePointer<CChar>?, line: UInt32, column: UInt32) {
        guard let symbol else { return }
        let name = String(cString: symbol)
        guard symbols[name] == nil else { return }
        symbols[name] = ClangDiagnostic(severity: .error, file: file.map { String(cString: $0) } ?? "",
                                        line: Int(line), column: Int(column), message: "")
    }

    func add(severity: RuneDiagnosticSeverity, file: UnsafePointer<CChar>?, line: UInt32, column: UInt32,
             message: UnsafePointer<CChar>?) {
        let level: ClangDiagnostic.Severity
        switch severity {
        case RuneDiagnosticWarning: level = .warning
        case RuneDiagnosticError, RuneDiagnosticInternalError: level = .error
        default: level = .note
        }
        diagnostics.append(ClangDiagnostic(
            severity: level,
            file: file.map { String(cString: $0) } ?? "",
            line: Int(line), column: Int(column),
            message: message.map { String(cString: $0) } ?? "",
            isInternal: severity == RuneDiagnosticInternalError))
    }
}

/// Calls `body` with a C `argv` for `strings`, valid for the duration of the call.
func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let pointers = strings.map { strdup($0).map { UnsafePointer($0) } }
    defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withVirtualFiles<Result>(_ files: [String: String],
                                      _ body: (UnsafeBufferPointer<RuneVirtualFile>) -> Result) -> Result {
    var storage: [(UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>, Int)] = []
    for (path, contents) in files.sorted(by: { $0.key < $1.key }) {
        let utf8 = Array(contents.utf8)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(utf8.count, 1))
        for (index, byte) in utf8.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        storage.append((strdup(path)!, buffer, utf8.count))
    }
    defer {
        for (path, buffer, _) in storage {
            free(path)
            buffer.deallocate()
        }
    }
    let virtualFiles = storage.map { RuneVirtualFile(path: $0.0, contents: $0.1, length: $0.2) }
    return virtualFiles.withUnsafeBufferPointer { body($0) }
}
