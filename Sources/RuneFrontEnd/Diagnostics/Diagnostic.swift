/// A problem found in the user's input, with a stable code and where it is.
public struct Diagnostic: Error, Sendable, Equatable {
    public enum Severity: String, Sendable, Equatable { case error, warning, note }

    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    /// Where the problem is; nil when it has no place in a source file.
    public var range: SourceRange?
    /// A short label printed under the caret.
    public var label: String?
    /// Related places: "first defined here".
    public var notes: [Note]
    /// How to fix it.
    public var help: String?

    public struct Note: Sendable, Equatable {
        public var message: String
        public var range: SourceRange?
        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    public init(_ severity: Severity, _ code: DiagnosticCode, _ message: String, at range: SourceRange?,
                label: String? = nil, notes: [Note] = [], help: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.range = range
        self.label = label
        self.notes = notes
        self.help = help
    }

    public static func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange?,
                             label: String? = nil, notes: [Note] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(.error, code, message, at: range, label: label, notes: notes, help: help)
    }

    /// A failure of runec itself (code generation or the toolchain rejecting what runec
    /// generated): never the user's mistake, so it says so and asks for a report.
    public static func internalError(_ what: String, _ error: Any) -> Diagnostic {
        Diagnostic(.error, .internalError, "internal error: \(what): \(error)", at: nil,
                   help: "this is a bug in runec, not a mistake in the Runefile; please report it, with the Runefile and any model or C file it uses")
    }

    /// Whether this is a bug in runec rather than a problem with the input.
    public var isInternalError: Bool { code == .internalError }

    public static func warning(_ code: DiagnosticCode, _ message: String, at range: SourceRange?,
                               label: String? = nil, notes: [Note] = [], help: String? = nil) -> Diagnostic {
        Diagnostic(.warning, code, message, at: range, label: label, notes: notes, help: help)
    }
}

/// Collects every diagnostic of a compilation, so one run reports all errors.
public final class DiagnosticEngine: @unchecked Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func emit(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}
