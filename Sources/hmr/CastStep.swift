/// The steps of `hmr targets cast`, in order.
enum CastStep: String, CaseIterable, Sendable, Encodable {
    case verifyingProvider = "verify-provider"
    case checkingCapabilities = "check-capabilities"
    case preparingImage = "prepare-image"
    case uploading = "upload"
    case verifying = "verify"
    case activating = "activate"
    case healthCheck = "health-check"

    /// How the step is shown.
    var title: String {
        switch self {
        case .verifyingProvider: "Verifying provider"
        case .checkingCapabilities: "Checking capabilities"
        case .preparingImage: "Preparing image"
        case .uploading: "Uploading rune"
        case .verifying: "Verifying rune"
        case .activating: "Activating"
        case .healthCheck: "Health check"
        }
    }
}

/// A cast that stopped: at which step, and why.
struct CastFailure: Error, CustomStringConvertible {
    var step: CastStep
    var reason: String

    /// Whether the previous rune certainly still runs: every step before activation leaves the
    /// active slot alone.
    var previousRuneRuns: Bool {
        switch step {
        case .verifyingProvider, .checkingCapabilities, .preparingImage, .uploading: true
        case .verifying, .activating, .healthCheck: false
        }
    }

    var description: String {
        "\(step.title) failed: \(reason)" + (previousRuneRuns ? "; the previous rune keeps running" : "")
    }
}
