import RuneManifest

/// What the compiler knows about each ``OutputKind`` (defined in `RuneManifest`): its argument
/// schema and a summary for help text.
extension OutputKind {
    var schema: ArgumentSchema {
        switch self {
        case .serial: .none
        }
    }

    public var summary: String {
        switch self {
        case .serial: "one JSON object per call, keyed by the output's name, one entry per input tensor"
        }
    }
}
