/// A base rune found for a `FROM` reference: its bytes and the digest they were checked against.
public struct BaseRune: Sendable {
    public var bytes: [UInt8]
    /// `sha256:<hex>` of ``bytes``.
    public var digest: String

    public init(bytes: [UInt8], digest: String) {
        self.bytes = bytes
        self.digest = digest
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
/// runec asks one provider per compilation. ``OCICacheBaseRuneProvider`` reads the pull cache
/// and is all `runec --offline` uses; a network provider (the registry client) pulls into that
/// cache and serves from it. A provider must return bytes whose SHA-256 is the digest it
/// returns, and the digest the reference names when it names one; runec checks both again.
public protocol BaseRuneProvider: Sendable {
    /// The base rune of `reference`. With `offline`, nothing may be fetched from a network.
    func baseRune(for reference: BaseReference, offline: Bool) throws(BaseRuneError) -> BaseRune
}
