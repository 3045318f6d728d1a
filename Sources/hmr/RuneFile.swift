import RuneCompiler
import RuneFiles
import RuneManifest

/// A `.rune` read from disk, with its digest and manifest.
struct RuneFile: Sendable {
    var path: String
    var bytes: [UInt8]
    var sha256: [UInt8]
    var manifest: Manifest

    init(path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: RuneLimits.maxRuneBytes, timeout: RuneLimits.defaultTimeoutSeconds)
        } catch {
            throw HammerError("cannot read '\(path)': \(error.message)")
        }
        try self.init(bytes: bytes, path: path)
    }

    init(bytes: [UInt8], path: String) throws {
        self.path = path
        self.bytes = bytes
        sha256 = SHA256.hash(bytes)
        manifest = try ContainerImage.manifest(ofRune: bytes, path: path)
    }

    /// Whether the rune runs by itself on a device: every capability it has is one the board
    /// provides on its own (RAND). Others are fed by the host (`hmr run`), one call per set.
    var feedsItself: Bool { manifest.capabilities.allSatisfy { $0.kindID == .rand } }
}
