/// A base rune found for a `FROM` reference, verified by its provider: the rune's bytes, the
/// digest of the OCI manifest that named it, and the rune's own digest.
public struct BaseRune: Sendable {
    public var bytes: [UInt8]
    /// `sha256:<hex>` of the OCI manifest: what `REGISTRY/REPO@sha256:…` names.
    public var manifestDigest: String
    /// `sha256:<hex>` of ``bytes`` (the artifact's one layer).
    public var runeDigest: String

    public init(bytes: [UInt8], manifestDigest: String, runeDigest: String) {
        self.bytes = bytes
        self.manifestDigest = manifestDigest
        self.runeDigest = runeDigest
    }
}

/// Why a base rune could not be provided; the message is shown at the `FROM`.
public struct BaseRuneError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// What the user can do about it.
    public var help: String?

    public init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }

    public var description: String { message }
}

/// Finds the rune a `FROM REGISTRY/REPO:TAG` (or `@sha256:...`) builds on.
///
/// The compiler asks one provider per compilation and never touches a network itself: runec
/// passes RuneRegistry's `RegistryBaseRuneProvider` (the pull cache, and the registry unless
/// `--offline`). It lives here, with ``ImageReference`` and ``RuneLineage``, so the compiler
/// and the registry client share it without depending on each other. A provider must return a
/// manifest digest equal to the reference's when it names one, and bytes whose SHA-256 is
/// ``BaseRune/runeDigest``; runec checks the latter again.
public protocol BaseRuneProvider: Sendable {
    /// The base rune of `reference`. With `offline`, nothing may be fetched from a network.
    func baseRune(for reference: ImageReference, offline: Bool) throws(BaseRuneError) -> BaseRune
}
