/// A kind of sink for a rune's results.
public struct OutputKind: Sendable, Hashable {
    /// The canonical upper-case name stored in the manifest: `SERIAL`.
    public let name: String
    let schema: ArgumentSchema
    public let summary: String

    public static func == (lhs: OutputKind, rhs: OutputKind) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The outputs runec knows.
public enum OutputCatalog {
    public static let all: [OutputKind] = [serial]

    static let serial = OutputKind(
        name: "SERIAL", schema: .none,
        summary: "one JSON object per call, keyed by the output's name, one entry per input tensor")

    public static func kind(named name: String) -> OutputKind? {
        all.first { $0.name == name.uppercased() }
    }
}
