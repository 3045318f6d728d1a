import Foundation
import RuneLink

/// A failure Hammer reports in words.
struct HammerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// `error` in words a user can act on: link failures name the system call and its reason,
    /// a silent device says how long it was given.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ByteLinkError:
            switch error {
            case .closed: return "the link closed"
            case .connectTimedOut: return "no connection within \(HammerLimits.connectSeconds) s"
            case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
            }
        case let error as SMPClientError:
            switch error {
            case .timedOut(let group, let command, let attempts):
                return "no answer to SMP group \(group) command \(command) (\(attempts) attempt\(attempts == 1 ? "" : "s"))"
            case .unexpectedResponse(let what): return "unexpected answer: \(what)"
            case .uploadStalled(let offset): return "the upload stopped advancing at byte \(offset)"
            case .uploadDeadlinePassed(let acknowledged, let total):
                return "the upload's deadline passed with \(acknowledged) of \(total) bytes acknowledged"
            }
        case let error as SMPDeviceError:
            return error.description
        default:
            return "\(error)"
        }
    }
}
