import RuneAOT
import RuneFiles
import RuneManifest

/// Base runes from the content-addressed pull cache, with no network: what `runec --offline`
/// uses.
///
/// The cache lives in `$XDG_CACHE_HOME/rune/oci` (default `~/.cache/rune/oci`):
///
///     oci/blobs/sha256/<hex>                    a blob (a rune layer), named by its SHA-256
///     oci/refs/<host>/<repository>/<tag>        the text `sha256:<hex>` of the tag's rune layer
///
/// `<host>` is the reference's registry as written (`localhost:5000`), `<repository>` its path
/// (`hotg/microspeech`, one folder per component), and a trailing newline in a ref file is
/// allowed. A reference with `@sha256:<hex>` reads the blob directly. Writers (`rune pull`)
/// write a blob, then its ref, each to a temporary name renamed into place, so a reader sees
/// either the old or the new file. Every blob is checked against its name when read, and read
/// bounded by ``RuneLimits/maxRuneBytes``.
public struct OCICacheBaseRuneProvider: BaseRuneProvider {
    /// The `oci` folder.
    public var folder: String

    public init(folder: String) {
        self.folder = folder
    }

    /// `$XDG_CACHE_HOME/rune/oci`, or `$HOME/.cache/rune/oci`; nil when neither is an absolute
    /// path.
    public static func defaultFolder(environment: [String: String]) -> String? {
        NativeCodeCache.defaultFolder(environment: environment).map { $0 + "/oci" }
    }

    /// Where the blob of `digest` (`sha256:<hex>`) is.
    public func blobPath(_ digest: String) -> String { folder + "/blobs/sha256/" + digest.dropFirst("sha256:".count) }

    /// Where the ref file of a tag is.
    public func refPath(host: String, repository: String, tag: String) -> String {
        folder + "/refs/" + host + "/" + repository + "/" + tag
    }

    public func baseRune(for reference: BaseReference, offline: Bool) throws(BaseRuneError) -> BaseRune {
        let digest: String
        if let pinned = reference.digest {
            digest = pinned
        } else {
            let tag = reference.tag ?? "latest"
            let path = refPath(host: reference.host, repository: reference.repository, tag: tag)
            let bytes: [UInt8]
            do {
                bytes = try BoundedFile.read(path, limit: 128, regularFileOnly: true)
            } catch {
                throw BaseRuneError(error == .missing ? "it is not in the pull cache (\(folder))"
                                        : "cannot read the cache's ref for '\(reference)': \(error)",
                                    help: "pull it first with 'rune pull \(reference.text)', or build without --offline")
            }
            var text = String(decoding: bytes, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            guard RuneLineage.isDigest(text) else {
                throw BaseRuneError("the cache's ref for '\(reference)' (\(path)) does not hold a sha256 digest",
                                    help: "pull it again with 'rune pull \(reference.text)'")
            }
            digest = text
        }
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(blobPath(digest), limit: RuneLimits.maxRuneBytes, regularFileOnly: true)
        } catch {
            throw BaseRuneError(error == .missing ? "the pull cache has no blob \(digest) for '\(reference)'"
                                    : "cannot read blob \(digest) of '\(reference)': \(error)",
                                help: "pull it again with 'rune pull \(reference.text)'")
        }
        let actual = "sha256:" + SHA256.hexHash(bytes)
        guard actual == digest else {
            throw BaseRuneError("blob \(digest) in the pull cache has digest \(actual); the cache is damaged",
                                help: "remove \(blobPath(digest)) and pull '\(reference.text)' again")
        }
        return BaseRune(bytes: bytes, digest: digest)
    }
}
