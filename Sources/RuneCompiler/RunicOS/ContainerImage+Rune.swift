import RuneAOT
import RuneFiles
import RuneManifest

extension ContainerImage {
    /// The manifest of the `.rune` in `bytes`, from its custom section; `path` names it in errors.
    public static func manifest(ofRune bytes: [UInt8], path: String) throws -> Manifest {
        guard let section = try AOTCompiler.customSection(named: Manifest.sectionName, in: bytes) else {
            throw AOTFirmware.Failure(messages: ["'\(path)' has no '\(Manifest.sectionName)' section; it is not a rune"])
        }
        do {
            return try Manifest(decoding: section)
        } catch {
            throw AOTFirmware.Failure(messages: ["the manifest of '\(path)' is malformed: \(error)"])
        }
    }

    /// The `.rune` in `bytes` translated by the AOT engine for a Cortex-M7 and linked as a
    /// container image for `board`'s slot `slot` (0 = A, 1 = B): what `runec aot --board` writes
    /// and what Hammer uploads.
    public static func translating(rune bytes: [UInt8], path: String, board: Board, slot: Int,
                                   isolation: MemoryIsolation? = nil) throws -> [UInt8] {
        let manifest = try manifest(ofRune: bytes, path: path)
        let object = try AOTCompiler.compile(bytes, target: .cortexM7, isolation: isolation, emit: .object)
        let image = ContainerImage(board: board, slot: slot, manifest: manifest, runeSHA256: SHA256.hash(bytes),
                                   uncheckedMemory: isolation == .mpu)
        return try image.build(object: object)
    }
}
