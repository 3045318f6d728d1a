import Crypto
import RuneManifest

/// An OCI content digest, `sha256:` and 64 lowercase hexadecimal digits: what registries name
/// blobs and manifests by, and what every pulled byte is checked against.
///
/// Hashed with swift-crypto, as registry clients do; the rest of the project hashes with
/// RuneFiles' `SHA256`, the C shared with the device.
public struct ContentDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 64 lowercase hexadecimal digits.
    public let hex: String

    /// `sha256:HEX`.
    public var description: String { "sha256:\(hex)" }

    /// The digest of `bytes`.
    public init(of bytes: [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in Crypto.SHA256.hash(data: bytes) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        hex = String(decoding: text, as: UTF8.self)
    }

    /// Parses `sha256:HEX` from a registry or a user; nil for anything else (another algorithm,
    /// uppercase or the wrong number of digits).
    public init?(parsing text: some StringProtocol) {
        let text = String(text.prefix(72))
        guard ImageReference.isDigest(text) else { return nil }
        hex = String(text.dropFirst(7))
    }
}
