import Foundation

/// Why a registry operation failed, worded for the person who ran the command: the registry,
/// the HTTP status and the registry's own error codes (`MANIFEST_BLOB_UNKNOWN`, `UNAUTHORIZED`)
/// when it answered, and what to do where there is something to do.
public struct RegistryError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The whole message.
    public var message: String
    /// The HTTP status the registry answered with, when the failure is an answer.
    public var status: Int?
    /// The codes from the registry's `{"errors":[{"code":…}]}` body, in order.
    public var codes: [String]

    public init(_ message: String, status: Int? = nil, codes: [String] = []) {
        self.message = message
        self.status = status
        self.codes = codes
    }

    public var description: String { message }

    /// An error for a registry's answer `status` to `operation`, naming the codes and messages of
    /// its error body (at most `RuneLimits.maxRegistryResponseBytes` read, printable text only).
    static func answer(registry: String, operation: String, status: Int, reason: String, body: [UInt8], hint: String? = nil) -> RegistryError {
        var entries = RegistryErrorBody.entries(body)
        // A HEAD answer has no body; the distribution spec gives these statuses one code each.
        if body.isEmpty, let code = [401: "UNAUTHORIZED", 403: "DENIED", 429: "TOOMANYREQUESTS"][status] {
            entries = [RegistryErrorBody.Entry(code: code, message: "")]
        }
        var text = "registry \(registry) answered \(status) \(Printable.clean(reason, limit: 80)) to \(operation)"
        if !entries.isEmpty {
            text += ": " + entries.map { entry in
                entry.message.isEmpty ? entry.code : "\(entry.code) (\(entry.message))"
            }.joined(separator: "; ")
        }
        if let hint { text += "; \(hint)" }
        return RegistryError(text, status: status, codes: entries.map(\.code))
    }
}
