/// The Runefile a rune was built from and the files it names (models, C blocks, resources),
/// stored in the rune so that another Runefile can build on it with `FROM`.
///
/// Stored in the custom section `rune.sources` with the manifest's primitives:
///
///     sources := "RSRC" u8:version str:runefile-name bytes:runefile uleb:count file*
///     file    := str:name bytes:content
///     bytes   := uleb:length u8*
///
/// A file's name is the path exactly as the Runefile writes it (`./model.tflite`), or `$NAME` for
/// a resource given with `runec --resource NAME=FILE`; it is a key,
/// never used as a path by a reader, so a hostile name cannot reach outside a folder. Counts and
/// sizes are bounded by ``RuneLimits`` (`maxSourceFiles`, `maxSourceNameBytes`,
/// `maxSourceBytes` for each file and for all together), names are unique, and whatever decodes
/// re-encodes to the same bytes.
public struct RuneSources: Equatable, Sendable {
    public struct File: Equatable, Sendable {
        /// The path as the Runefile writes it, or `$NAME` for a resource given to runec.
        public var name: String
        public var content: [UInt8]
        public init(name: String, content: [UInt8]) {
            self.name = name
            self.content = content
        }
    }

    public static let sectionName = "rune.sources"
    public static let currentVersion: UInt8 = 1

    /// `Runefile` or `Runefile.yml`: which parser reads ``runefile``.
    public var runefileName: String
    public var runefile: [UInt8]
    public var files: [File]

    public init(runefileName: String, runefile: [UInt8], files: [File]) {
        self.runefileName = runefileName
        self.runefile = runefile
        self.files = files
    }

    public func file(named name: String) -> File? { files.first { $0.name == name } }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(Array("RSRC".utf8))
        writer.byte(RuneSources.currentVersion)
        writer.string(runefileName)
        writer.uleb(runefile.count)
        writer.bytes(runefile)
        writer.uleb(files.count)
        for file in files {
            writer.string(file.name)
            writer.uleb(file.content.count)
            writer.bytes(file.content)
        }
        return writer.buffer
    }

    public init<Bytes: Collection>(decoding bytes: Bytes) throws(ManifestError) where Bytes.Element == UInt8 {
        var reader = ByteReader(Array(bytes))
        _ = try reader.header(magic: "RSRC", version: RuneSources.currentVersion, what: "sources")
        var total = 0
        func content(_ reader: inout ByteReader) throws(ManifestError) -> [UInt8] {
            let length = try reader.uleb()
            guard length <= UInt64(RuneLimits.maxSourceBytes - total) else {
                throw reader.fail("stored files exceed \(RuneLimits.maxSourceBytes) bytes")
            }
            total += Int(length)
            return try reader.bytes(Int(length))
        }
        let runefileName = try reader.string()
        guard ["Runefile", "Runefile.yml", "Runefile.yaml"].contains(runefileName) else {
            throw reader.fail("the stored Runefile is named '\(runefileName.prefix(64))', not Runefile or Runefile.yml")
        }
        let runefile = try content(&reader)
        var files: [File] = []
        var names = Set<String>()
        for _ in 0..<(try reader.count(limit: RuneLimits.maxSourceFiles)) {
            let start = reader.offset
            let name = try reader.string()
            guard !name.isEmpty, name.utf8.count <= RuneLimits.maxSourceNameBytes, !name.utf8.contains(0) else {
                throw ManifestError(offset: start, message: "a stored file has an empty, too long or NUL-holding name")
            }
            guard names.insert(name).inserted else {
                throw ManifestError(offset: start, message: "file '\(name.prefix(64))' is stored twice")
            }
            files.append(File(name: name, content: try content(&reader)))
        }
        guard reader.remaining == 0 else {
            throw ManifestError(offset: reader.offset, message: "\(reader.remaining) unexpected trailing bytes")
        }
        self.init(runefileName: runefileName, runefile: runefile, files: files)
    }
}
