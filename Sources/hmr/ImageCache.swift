import Foundation
import RuneAOT
import RuneCompiler
import RuneFiles

/// Prepared container images under `$XDG_CACHE_HOME/hammer/images/`, keyed by the rune's SHA-256,
/// the board, the slot and the AOT engine's version (a new translator never reuses an old
/// image); and the runes cast, under `runes/` by SHA-256, so `hmr run` can read the manifest of
/// what a device runs.
final class ImageCache: @unchecked Sendable {
    let folder: URL
    /// One translation at a time: casts to several devices of one board translate once, and the
    /// others find the image in the cache.
    private let lock = NSLock()

    init(folder: URL = HammerFolders.cache) {
        self.folder = folder
    }

    /// The image of `rune` for `board`'s slot `slot`, from the cache or translated now; and
    /// whether it came from the cache.
    func image(for rune: RuneFile, board: Board, slot: Int) throws -> (bytes: [UInt8], cached: Bool) {
        try lock.withLock {
            let name = "\(SHA256.hex(rune.sha256))-\(board.name)-\(slot == 0 ? "a" : "b")-aot\(AOTEngineVersion.current).rimg"
            let file = folder.appendingPathComponent("images").appendingPathComponent(name)
            if let stored = try? [UInt8](Data(contentsOf: file)), Self.isSealed(stored) {
                return (stored, true)
            }
            let image = try ContainerImage.translating(rune: rune.bytes, path: rune.path, board: board, slot: slot)
            store(image, at: file)
            return (image, false)
        }
    }

    /// Keeps the `.rune` itself, by its SHA-256.
    func keep(_ rune: RuneFile) {
        store(rune.bytes, at: runeFile(sha256: rune.sha256))
    }

    /// The `.rune` whose SHA-256 is `sha256`, if it was cast from here.
    func rune(sha256: [UInt8]) -> [UInt8]? {
        guard let bytes = try? [UInt8](Data(contentsOf: runeFile(sha256: sha256))), SHA256.hash(bytes) == sha256 else { return nil }
        return bytes
    }

    private func runeFile(sha256: [UInt8]) -> URL {
        folder.appendingPathComponent("runes").appendingPathComponent("\(SHA256.hex(sha256)).rune")
    }

    /// A cache that cannot be written only costs a translation next time.
    private func store(_ bytes: [UInt8], at file: URL) {
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(bytes).write(to: file, options: .atomic)
    }

    /// Whether `image`'s SHA-256 trailer matches its bytes: a damaged cache file is translated
    /// again rather than uploaded (the device would refuse it anyway).
    static func isSealed(_ image: [UInt8]) -> Bool {
        image.count > 32 && SHA256.hash(Array(image.dropLast(32))) == Array(image.suffix(32))
    }
}
