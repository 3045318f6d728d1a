import Foundation
import RuneFiles
import RuneManifest

/// The runes `rune pull` and `FROM` have fetched, content-addressed under
/// `$XDG_CACHE_HOME/rune/oci/` (default `~/.cache/rune/oci/`):
///
/// - `blobs/sha256/HEX`: manifests, configs and runes, each named by its digest;
/// - `refs/REGISTRY/REPOSITORY/TAG`: the manifest digest a tag pointed to when last pulled.
///
/// Every read is verified against its digest (a damaged entry is a miss, never a wrong rune), so
/// the cache can be trusted offline: `lookup` answers from it alone, which is what
/// `runec --offline` uses. Writes are atomic (`OutputFile.replace`).
public struct PullCache: Sendable {
    /// The `oci` folder.
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// The cache under the user's cache folder, or nil when no folder can be named.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> PullCache? {
        UserFolders.cache(environment: environment).map { PullCache(folder: $0 + "/oci") }
    }

    /// Where the blob `digest` is kept.
    public func blobPath(_ digest: ContentDigest) -> String { folder + "/blobs/sha256/" + digest.hex }

    /// Where the tag of `reference` is recorded. The reference grammar keeps every part free of
    /// `/`, `..` and control characters, so the path stays inside the cache.
    func refPath(_ reference: ImageReference) -> String {
        folder + "/refs/\(reference.registry)/\(reference.repository)/\(reference.tag ?? "latest")"
    }

    /// The blob `digest`, if it is cached, at most `limit` bytes, and hashes to its name.
    public func blob(_ digest: ContentDigest, limit: Int) -> [UInt8]? {
        guard let bytes = try? BoundedFile.read(blobPath(digest), limit: limit, timeout: RuneLimits.defaultTimeoutSeconds,
                                                regularFileOnly: true),
              ContentDigest(of: bytes) == digest else { return nil }
        return bytes
    }

    /// Keeps `bytes` as the blob named by their digest.
    @discardableResult
    public func storeBlob(_ bytes: [UInt8]) throws(RegistryError) -> ContentDigest {
        let digest = ContentDigest(of: bytes)
        try write(bytes, to: blobPath(digest))
        return digest
    }

    /// The manifest digest recorded for `reference`'s tag, if any.
    public func taggedDigest(_ reference: ImageReference) -> ContentDigest? {
        guard let bytes = try? BoundedFile.read(refPath(reference), limit: 128, timeout: RuneLimits.defaultTimeoutSeconds,
                                                regularFileOnly: true) else { return nil }
        return ContentDigest(parsing: String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Records that `reference`'s tag names `digest`.
    public func storeTag(_ reference: ImageReference, digest: ContentDigest) throws(RegistryError) {
        try write(Array("\(digest)\n".utf8), to: refPath(reference))
    }

    /// Keeps what a verified pull of `reference` fetched: the rune, config and manifest blobs,
    /// then (when the reference has a tag rather than a digest) the tag, last, so a reader never
    /// finds a tag whose blobs are missing.
    public func store(rune: [UInt8], config: [UInt8], manifest: [UInt8], for reference: ImageReference) throws(RegistryError) {
        try storeBlob(rune)
        try storeBlob(config)
        let manifestDigest = try storeBlob(manifest)
        if reference.digest == nil { try storeTag(reference, digest: manifestDigest) }
    }

    /// The rune `reference` names, from the cache alone: by its digest when it has one, else by
    /// the digest its tag had when last pulled. Nil when anything is missing or damaged.
    public func lookup(_ reference: ImageReference) -> PulledRune? {
        guard let manifestDigest = reference.digest.flatMap({ ContentDigest(parsing: $0) }) ?? taggedDigest(reference),
              let manifest = blob(manifestDigest, limit: RuneLimits.maxRegistryManifestBytes),
              let layout = try? RuneArtifactLayout(manifest: manifest, name: reference.description),
              let config = blob(layout.configDigest, limit: layout.configSize), config.count == layout.configSize,
              (try? layout.checkConfig(config, name: reference.description)) != nil,
              let rune = blob(layout.layerDigest, limit: layout.layerSize), rune.count == layout.layerSize else { return nil }
        return PulledRune(bytes: rune, manifestDigest: manifestDigest, layerDigest: layout.layerDigest, reference: reference, fromCache: true)
    }

    private func write(_ bytes: [UInt8], to path: String) throws(RegistryError) {
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try OutputFile.replace(bytes, at: path)
        } catch {
            throw RegistryError("cannot write the pull cache entry '\(path)': \(error)")
        }
    }
}
