/// Why a rune could not be loaded or run. Every case reads as a complete sentence for the user.
public enum RuneError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file is not a rune: not WebAssembly, truncated, or malformed.
    case malformed(String)
    /// The module does not follow the rune ABI (imports, exports, manifest).
    case abi(String)
    /// The rune asks for a capability this host cannot or may not give it.
    case capabilityUnavailable(String)
    /// The user's input (a file, a flag) does not fit what the rune declared.
    case input(String)
    /// The rune broke a rule while running (read an undeclared capability, wrote a bad output).
    case violation(String)
    /// The rune trapped (out-of-bounds access, unreachable).
    case trap(String)
    /// `_call` returned an error status.
    case callFailed(status: Int32, String)
    /// The rune needs more than a limit of this host allows (memory, with `--max-memory`).
    case limit(String)

    public var description: String {
        switch self {
        case .malformed(let message): "not a valid rune: \(message)"
        case .abi(let message): "the rune does not follow the rune ABI: \(message)"
        case .capabilityUnavailable(let message): message
        case .input(let message): message
        case .violation(let message): "the rune was stopped: \(message)"
        case .trap(let message): "the rune trapped: \(message)"
        case .callFailed(let status, let message): "the rune failed with status \(status): \(message)"
        case .limit(let message): "the rune was refused: \(message)"
        }
    }
}
