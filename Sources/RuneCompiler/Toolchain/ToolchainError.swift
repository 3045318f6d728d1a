/// A diagnostic clang reported about C it compiled.
public struct ClangDiagnostic: Sendable, Equatable {
    public enum Severity: Sendable, Equatable { case note, warning, error }
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// clang crashed, ran out of stack or hit an LLVM fatal error: not the C's fault.
    public var isInternal: Bool = false
}

/// A failure inside the in-process toolchain.
public enum ToolchainError: Error, Sendable {
    /// clang rejected a translation unit.
    case compilation(unit: String, diagnostics: [ClangDiagnostic])
    /// LLVM failed: a target, pass pipeline or object emission error.
    case llvm(String)
    /// lld failed; its messages.
    case link(String)
}

extension ToolchainError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .compilation(let unit, let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }
            return "failed to compile \(unit): " + errors.map {
                "\($0.file):\($0.line):\($0.column): \($0.message)"
            }.joined(separator: "; ")
        case .llvm(let message):
            return "LLVM: \(message)"
        case .link(let message):
            return "lld: \(message)"
        }
    }
}
