/// One entry of Runefile.yml's top-level `resources:`: a named file or text that `$NAME` stands
/// for in a stage's `model:` or in a processing block's `args`.
///
/// ```yaml
/// resources:
///   SINE_MODEL:
///     type: binary
///     path: ./sinemodel.tflite
///   LABELS:
///     type: string
///     inline: |
///       up
///       down
/// ```
public struct ResourceSyntax: Sendable {
    /// How the resource's bytes are used: a file such as a model, or text such as a label list.
    public enum Kind: String, Sendable, CaseIterable {
        case binary, string
    }

    public var name: Located<String>
    public var kind: Kind
    /// A file, relative to the Runefile's folder, whose bytes are compiled in.
    public var path: Located<String>?
    /// The value itself, written in the Runefile (string resources).
    public var inline: Located<String>?
    /// Given on runec's command line (`--resource NAME=FILE`) rather than in the Runefile:
    /// ``path`` is then that file, absolute, and the rune stores it under `$NAME`.
    public var isSupplied = false

    public init(name: Located<String>, kind: Kind, path: Located<String>?, inline: Located<String>?) {
        self.name = name
        self.kind = kind
        self.path = path
        self.inline = inline
    }
}
