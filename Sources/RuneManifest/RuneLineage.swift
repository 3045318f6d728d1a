/// The base a rune was derived from with `FROM REGISTRY/REPO:TAG`: the reference as written,
/// the digest of the OCI manifest it resolved to, and the SHA-256 of the base rune's own bytes,
/// so `rune inspect` can show where a rune comes from and `REGISTRY/REPO@MANIFEST` pins it.
///
/// Stored in the custom section `rune.lineage` with the manifest's primitives:
///
///     lineage := "RLIN" u8:2 str:reference str:manifest-digest str:rune-digest
///     lineage := "RLIN" u8:1 str:reference str:rune-digest        (read, never written)
///
/// Digests are `sha256:` and 64 lower-case hex digits; the reference is at most
/// ``RuneLimits/maxImageReferenceBytes``.
public struct RuneLineage: Equatable, Sendable {
    public static let sectionName = "rune.lineage"
    public static let currentVersion: UInt8 = 2

    /// `localhost:5000/hotg/microspeech:1`, as the Runefile writes it.
    public var reference: String
    /// `sha256:<hex>` of the base's OCI manifest; nil in version 1 lineages, which kept only the
    /// rune's digest.
    public var manifestDigest: String?
    /// `sha256:<hex>` of the base rune.
    public var runeDigest: String

    public init(reference: String, manifestDigest: String?, runeDigest: String) {
        self.reference = reference
        self.manifestDigest = manifestDigest
        self.runeDigest = runeDigest
    }

    /// Whether `text` is `sha256:` and 64 lower-case hex digits.
    public static func isDigest(_ text: String) -> Bool {
        ImageReference.isDigest(text)
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(Array("RLIN".utf8))
        writer.byte(RuneLineage.currentVersion)
        writer.string(reference)
        writer.string(manifestDigest ?? "")
        writer.string(runeDigest)
        return writer.buffer
    }

    public init<Bytes: Collection>(decoding bytes: Bytes) throws(ManifestError) where Bytes.Element == UInt8 {
        var reader = ByteReader(Array(bytes))
        let version = try reader.header(magic: "RLIN", versions: 1...RuneLineage.currentVersion, what: "lineage")
        let start = reader.offset
        let reference = try reader.string()
        guard !reference.isEmpty, reference.utf8.count <= RuneLimits.maxImageReferenceBytes else {
            throw ManifestError(offset: start, message: "the base reference is empty or longer than \(RuneLimits.maxImageReferenceBytes) bytes")
        }
        func digest() throws(ManifestError) -> String {
            let digestStart = reader.offset
            let digest = try reader.string()
            guard RuneLineage.isDigest(digest) else {
                throw ManifestError(offset: digestStart, message: "a base digest is not sha256: and 64 hex digits")
            }
            return digest
        }
        let manifestDigest = version >= 2 ? try digest() : nil
        let runeDigest = try digest()
        guard reader.remaining == 0 else {
            throw ManifestError(offset: reader.offset, message: "\(reader.remaining) unexpected trailing bytes")
        }
        self.init(reference: reference, manifestDigest: manifestDigest, runeDigest: runeDigest)
    }
}
