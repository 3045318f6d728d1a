/// What `RegistryClient.push` did.
public struct PushedRune: Sendable, Equatable {
    /// The manifest's digest: pull `REGISTRY/REPO@<this>` to get exactly this rune back.
    public var manifestDigest: ContentDigest
    /// Blobs uploaded (the layer and the config when the registry lacked them).
    public var uploadedBlobs: Int
    /// Blobs the registry already had, so nothing was sent.
    public var existingBlobs: Int
    /// Bytes of blobs uploaded.
    public var uploadedBytes: Int
}
