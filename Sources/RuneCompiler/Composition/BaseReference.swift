import RuneManifest

/// A `FROM` that names a published rune: `localhost:5000/hotg/microspeech:1` or
/// `registry.example.com/hotg/microspeech@sha256:...`.
///
/// Docker's rule decides what is a registry reference: the first path component has a `.` or
/// a `:`, or is `localhost`. Anything else (`runicos/base`, `asdf`) is a built-in base name.
///
/// This is deliberately the smallest split that the offline cache needs (host, repository, tag
/// or digest); the registry client's `ImageReference` (Sources/RuneManifest/ImageReference.swift,
/// Docker's full grammar) replaces it when the two are merged.
public struct BaseReference: Sendable, Equatable, CustomStringConvertible {
    /// The reference as written.
    public var text: String
    /// `localhost:5000`.
    public var host: String
    /// `hotg/microspeech`.
    public var repository: String
    /// `1`, or nil when the reference gives a digest.
    public var tag: String?
    /// `sha256:<hex>`, when the reference gives one.
    public var digest: String?

    public var description: String { text }

    /// Whether `name` names a registry rather than a built-in base.
    public static func isRegistryReference(_ name: String) -> Bool {
        guard let slash = name.firstIndex(of: "/") else { return false }
        let first = name[..<slash]
        return first.contains(".") || first.contains(":") || first == "localhost"
    }

    /// Splits a registry reference; nil when `text` is not one, or is malformed (an empty part,
    /// a part with characters no registry accepts, a digest that is not `sha256:` and 64 hex
    /// digits). A reference without tag or digest means the tag `latest`, as Docker's does.
    public init?(_ text: String) {
        guard BaseReference.isRegistryReference(text), text.utf8.count <= 4096 else { return nil }
        self.text = text
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            let digest = String(rest[rest.index(after: at)...])
            guard RuneLineage.isDigest(digest) else { return nil }
            self.digest = digest
            rest = rest[..<at]
        }
        let slash = rest.firstIndex(of: "/")!
        host = String(rest[..<slash])
        var path = rest[rest.index(after: slash)...]
        if let colon = path.lastIndex(of: ":") {
            let tag = path[path.index(after: colon)...]
            guard !tag.isEmpty, tag.count <= 128,
                  tag.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) })
            else { return nil }
            self.tag = String(tag)
            path = path[..<colon]
        } else if digest == nil {
            tag = "latest"
        }
        repository = String(path)
        let components = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard !host.isEmpty, !components.isEmpty, components.allSatisfy({ component in
            !component.isEmpty && component != "." && component != ".."
                && component.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
        }), host.unicodeScalars.allSatisfy({ $0.isASCII && $0 != "/" && $0.value > 32 }), host != ".", host != ".."
        else { return nil }
    }

}
