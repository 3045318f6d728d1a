/// The base a rune was derived from with `FROM REGISTRY/REPO:TAG`: the reference as written and
/// the digest of the base rune's bytes, so `rune inspect` can show where a rune comes from.
///
/// Stored in the custom section `rune.lineage` with the manifest's primitives:
///
///     lineage := "RLIN" u8:version str:reference str:digest
///
/// The digest is `sha256:` and 64 lower-case hex digits; the reference is at most
/// ``RuneLimits/maxReferenceBytes``.
public struct RuneLineage: Equatable, Sendable {
    public static let sectionName = "rune.lineage"
    public static let currentVersion: UInt8 = 1

    /// `localhost:5000/hotg/microspeech:1`, as the Runefile writes it.
    public var reference: String
    /// `sha256:<hex>` of the base rune.
    public var digest: String

    public init(reference: String, digest: String) {
        self.reference = reference
        self.digest = digest
    }

    /// Whether `text` is `sha256:` and 64 lower-case hex digits.
    public static func isDigest(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 71, text.hasPrefix("sha256:") else { return false }
        return utf8[7...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(Array("RLIN".utf8))
        writer.byte(RuneLineage.currentVersion)
        writer.string(reference)
        writer.string(digest)
        return writer.buffer
    }

    public init<Bytes: Collection>(decoding bytes: Bytes) throws(ManifestError) where Bytes.Element == UInt8 {
        var reader = ByteReader(Array(bytes))
        _ = try reader.header(magic: "RLIN", version: RuneLineage.currentVersion, what: "lineage")
        let start = reader.offset
        let reference = try reader.string()
        guard !reference.isEmpty, reference.utf8.count <= RuneLimits.maxReferenceBytes else {
            throw ManifestError(offset: start, message: "the base reference is empty or longer than \(RuneLimits.maxReferenceBytes) bytes")
        }
        let digestStart = reader.offset
        let digest = try reader.string()
        guard RuneLineage.isDigest(digest) else {
            throw ManifestError(offset: digestStart, message: "the base digest is not sha256: and 64 hex digits")
        }
        guard reader.remaining == 0 else {
            throw ManifestError(offset: reader.offset, message: "\(reader.remaining) unexpected trailing bytes")
        }
        self.init(reference: reference, digest: digest)
    }
}
