import RuneFrontEnd
/// A failure of runec itself: the toolchain rejecting C that runec generated, code generation
/// failing on a pipeline the checker accepted, a linked image runec cannot read. Never the
/// user's mistake, so it is never reported under a user's code: a compilation session reports
/// it once, as E0900, asking for a bug report.
///
/// User errors go into the session's `DiagnosticEngine` as they are found; internal errors
/// travel on their own path, as thrown values, to the end of the compilation.
public struct InternalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What runec was doing: "code generation failed".
    public var what: String
    /// The underlying failure, as text.
    public var detail: String

    public init(_ what: String, _ underlying: Any) {
        self.what = what
        self.detail = "\(underlying)"
    }

    /// The E0900 diagnostic this error is reported as.
    public var diagnostic: Diagnostic { .internalError(what, detail) }

    public var description: String { diagnostic.message }
}
