import RuneManifest

/// A rune fetched from a registry (or the pull cache) and verified: its bytes hash to
/// `layerDigest`, which the manifest named, and the manifest hashes to `manifestDigest`.
public struct PulledRune: Sendable, Equatable {
    /// The `.rune`.
    public var bytes: [UInt8]
    /// The manifest's digest: what `REGISTRY/REPO@sha256:…` names, and what a rune built `FROM`
    /// this one records as its base.
    public var manifestDigest: ContentDigest
    /// The digest of the rune itself (the artifact's one layer).
    public var layerDigest: ContentDigest
    /// The reference it was pulled by.
    public var reference: ImageReference
    /// Whether every byte came from the local cache (no network).
    public var fromCache: Bool

    public init(bytes: [UInt8], manifestDigest: ContentDigest, layerDigest: ContentDigest, reference: ImageReference, fromCache: Bool) {
        self.bytes = bytes
        self.manifestDigest = manifestDigest
        self.layerDigest = layerDigest
        self.reference = reference
        self.fromCache = fromCache
    }
}
