import ArgumentParser
import Foundation

/// Where results and diagnostics go: stdout for results, stderr for everything else.
enum Output {
    /// Writes `text` to stdout at once (no buffering: lines reach a pipe as they happen).
    static func print(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    /// Writes `text` to stderr.
    static func diagnose(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    /// Whether stdout is a terminal (progress bars), rather than a pipe or file (plain lines).
    static var isTerminal: Bool { isatty(1) != 0 }

    /// `value` as one line of JSON with sorted keys.
    static func json<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }

    /// Prints `error: message` on stderr; the exit status 1 to throw.
    static func fail(_ message: String) -> ExitCode {
        diagnose("error: \(message)")
        return ExitCode(1)
    }
}
