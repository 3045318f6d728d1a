/// An error reading manifest bytes, with the offset where reading stopped.
public struct ManifestError: Error, Equatable, CustomStringConvertible, Sendable {
    public var offset: Int
    public var message: String
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
    public var description: String { "malformed manifest at byte \(offset): \(message)" }
}

extension Manifest {
    /// The manifest's share of ``RuneLimits``, under the names the codec uses.
    public enum Limits {
        public static let maxEntries = RuneLimits.maxManifestEntries
        public static let maxRank = RuneLimits.maxRank
        public static let maxStringBytes = RuneLimits.maxStringBytes
        public static let maxElements = RuneLimits.maxTensorElements
        public static let maxNameBytes = RuneLimits.maxNameBytes
        public static let maxTensorBytes = RuneLimits.maxTensorBytes
    }

    /// The manifest's binary form (see `Runtime/include/rune.h`).
    public func encoded() -> [UInt8] {
        encodedWithoutMemoryBytes() + Manifest.encoded(memoryBytes: memoryBytes)
    }

    /// The binary form of every field but the last, `memoryBytes`. A producer that counts the
    /// manifest in the memory it declares encodes this once and appends
    /// ``encoded(memoryBytes:)``: `encoded()` is the two together.
    public func encodedWithoutMemoryBytes() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(Array("RUNE".utf8))
        writer.byte(version)
        let shaped = version >= Manifest.declaredShapesVersion
        writer.uleb(capabilities.count)
        for capability in capabilities {
            writer.string(capability.name)
            writer.string(capability.kind)
            writer.tensor(capability.tensor)
            writer.arguments(capability.arguments)
        }
        writer.uleb(outputs.count)
        for output in outputs {
            writer.string(output.name)
            writer.string(output.kind)
            writer.uleb(output.inputs.count)
            output.inputs.forEach { writer.tensor($0, declaredShape: shaped) }
            writer.arguments(output.arguments)
        }
        writer.uleb(models.count)
        for model in models {
            writer.string(model.name)
            writer.string(model.source)
            writer.uleb(model.weightBytes)
            writer.uleb(model.arenaBytes)
            writer.uleb(model.inputs.count)
            model.inputs.forEach { writer.tensor($0) }
            writer.uleb(model.outputs.count)
            model.outputs.forEach { writer.tensor($0) }
        }
        return writer.buffer
    }

    /// The binary form of the last field, `memoryBytes`.
    public static func encoded(memoryBytes: Int) -> [UInt8] {
        var writer = ByteWriter()
        writer.uleb(memoryBytes)
        return writer.buffer
    }

    /// Reads a manifest, checking every length and count against the bytes present and against
    /// ``RuneLimits``: names, kinds and argument keys of at most `maxNameBytes`, tensors of at most
    /// `maxTensorBytes`, integers in their shortest encoding. Whatever decodes re-encodes to the
    /// same bytes.
    public init<Bytes: Collection>(decoding bytes: Bytes) throws(ManifestError) where Bytes.Element == UInt8 {
        var reader = ByteReader(Array(bytes))
        let version = try reader.header(magic: "RUNE", versions: 1...Manifest.currentVersion, what: "manifest")
        let shaped = version >= Manifest.declaredShapesVersion
        var capabilities: [Capability] = []
        for _ in 0..<(try reader.count()) {
            let name = try reader.name("capability name")
            let kind = try reader.name("capability kind")
            let tensor = try reader.tensor()
            let arguments = try reader.arguments()
            capabilities.append(Capability(name: name, kind: kind, tensor: tensor, arguments: arguments))
        }
        var outputs: [Output] = []
        for _ in 0..<(try reader.count()) {
            let name = try reader.name("output name")
            let kind = try reader.name("output kind")
            var inputs: [TensorType] = []
            for _ in 0..<(try reader.count()) { inputs.append(try reader.tensor(declaredShape: shaped)) }
            let arguments = try reader.arguments()
            outputs.append(Output(name: name, kind: kind, inputs: inputs, arguments: arguments))
        }
        var models: [Model] = []
        for _ in 0..<(try reader.count()) {
            let name = try reader.name("model name")
            let source = try reader.string()
            let weightBytes = try reader.size()
            let arenaBytes = try reader.size()
            var inputs: [TensorType] = []
            for _ in 0..<(try reader.count()) { inputs.append(try reader.tensor()) }
            var modelOutputs: [TensorType] = []
            for _ in 0..<(try reader.count()) { modelOutputs.append(try reader.tensor()) }
            models.append(Model(name: name, source: source, weightBytes: weightBytes, arenaBytes: arenaBytes,
                                inputs: inputs, outputs: modelOutputs))
        }
        let memoryBytes = try reader.size()
        guard reader.remaining == 0 else {
            throw ManifestError(offset: reader.offset, message: "\(reader.remaining) unexpected trailing bytes")
        }
        self.init(capabilities: capabilities, outputs: outputs, models: models, memoryBytes: memoryBytes,
                  version: version)
    }
}

/// Appends manifest primitives.
struct ByteWriter {
    var buffer: [UInt8] = []

    mutating func byte(_ value: UInt8) { buffer.append(value) }
    mutating func bytes(_ value: [UInt8]) { buffer += value }

    mutating func uleb(_ value: Int) {
        var remaining = UInt64(value)
        repeat {
            var byte = UInt8(remaining & 0x7f)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            buffer.append(byte)
        } while remaining != 0
    }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        uleb(utf8.count)
        buffer += utf8
    }

    /// A tensor with its canonical dimensions, or with its declared ``TensorType/shape``.
    mutating func tensor(_ type: TensorType, declaredShape: Bool = false) {
        let dimensions = declaredShape ? type.shape : type.dimensions
        byte(type.elementType.rawValue)
        uleb(dimensions.count)
        dimensions.forEach { uleb($0) }
    }

    mutating func arguments(_ arguments: [Manifest.Argument]) {
        uleb(arguments.count)
        for argument in arguments {
            string(argument.key)
            string(argument.value)
        }
    }
}

/// Reads manifest primitives; every read is bounds-checked.
struct ByteReader {
    let buffer: [UInt8]
    private(set) var offset = 0

    init(_ buffer: [UInt8]) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }

    func fail(_ message: String) -> ManifestError { ManifestError(offset: offset, message: message) }

    /// Reads a four-byte magic and a version byte, which must be `version`.
    mutating func header(magic: String, version: UInt8, what: String) throws(ManifestError) -> UInt8 {
        try header(magic: magic, versions: version...version, what: what)
    }

    /// Reads a four-byte magic and a version byte, which must be one of `versions`.
    mutating func header(magic: String, versions: ClosedRange<UInt8>, what: String) throws(ManifestError) -> UInt8 {
        guard remaining >= 5, try bytes(4) == Array(magic.utf8) else {
            throw ManifestError(offset: 0, message: "missing the \"\(magic)\" magic")
        }
        let found = try byte()
        guard versions.contains(found) else {
            let readable = versions.count == 1 ? "version \(versions.lowerBound)" : "versions \(versions.lowerBound) to \(versions.upperBound)"
            throw ManifestError(offset: 4, message: "unsupported \(what) version \(found) (this host reads \(readable))")
        }
        return found
    }

    mutating func byte() throws(ManifestError) -> UInt8 {
        guard offset < buffer.count else { throw fail("unexpected end of manifest") }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func bytes(_ count: Int) throws(ManifestError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw fail("unexpected end of manifest") }
        defer { offset += count }
        return Array(buffer[offset..<offset + count])
    }

    mutating func uleb() throws(ManifestError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.byte()
            guard shift < 64, shift < 63 || byte & 0x7e == 0 else { throw fail("integer too large") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                // A padded encoding (0x80 0x00 for 0) would not re-encode to the same bytes.
                guard byte != 0 || shift == 0 else { throw fail("integer is not in its shortest encoding") }
                return result
            }
            shift += 7
        }
    }

    /// A non-negative size that fits comfortably in a 32-bit address space.
    mutating func size() throws(ManifestError) -> Int {
        let value = try uleb()
        guard value <= UInt64(UInt32.max) else { throw fail("size \(value) exceeds 4 GiB") }
        return Int(value)
    }

    /// A count of at most `limit`: list entries (``RuneLimits/maxManifestEntries``) unless the
    /// list has its own limit, as a pipeline's stages have.
    mutating func count(limit: Int = Manifest.Limits.maxEntries) throws(ManifestError) -> Int {
        let value = try uleb()
        guard value <= UInt64(limit) else {
            throw fail("count \(value) exceeds the limit of \(limit)")
        }
        return Int(value)
    }

    mutating func string() throws(ManifestError) -> String {
        let length = try uleb()
        guard length <= UInt64(Manifest.Limits.maxStringBytes) else { throw fail("string of \(length) bytes is too long") }
        let start = offset
        let bytes = try self.bytes(Int(length))
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ManifestError(offset: start, message: "string is not valid UTF-8")
        }
        return text
    }

    /// A name, kind or argument key: a string of at most `maxNameBytes`.
    mutating func name(_ what: String) throws(ManifestError) -> String {
        let start = offset
        let text = try string()
        guard text.utf8.count <= Manifest.Limits.maxNameBytes else {
            throw ManifestError(offset: start, message: "\(what) of \(text.utf8.count) bytes is longer than the limit of \(Manifest.Limits.maxNameBytes)")
        }
        return text
    }

    /// A tensor; its dimensions must be canonical unless `declaredShape` allows the declared
    /// shape (unit dimensions kept).
    mutating func tensor(declaredShape: Bool = false) throws(ManifestError) -> TensorType {
        let start = offset
        let code = try byte()
        guard let elementType = ElementType(rawValue: code) else {
            throw ManifestError(offset: start, message: "unknown element type \(code)")
        }
        let rank = try uleb()
        guard rank >= 1, rank <= UInt64(Manifest.Limits.maxRank) else {
            throw fail("tensor rank \(rank) is outside 1...\(Manifest.Limits.maxRank)")
        }
        var dimensions: [Int] = []
        var elements = 1
        for _ in 0..<rank {
            let dimension = try uleb()
            guard dimension >= 1, dimension <= UInt64(Manifest.Limits.maxElements) else {
                throw fail("tensor dimension \(dimension) is out of range")
            }
            elements *= Int(dimension)
            guard elements <= Manifest.Limits.maxElements else { throw fail("tensor has too many elements") }
            dimensions.append(Int(dimension))
        }
        let type = TensorType(elementType, dimensions)
        // elements <= maxElements and byteWidth <= 8, so this cannot overflow.
        guard type.byteCount <= Manifest.Limits.maxTensorBytes else {
            throw ManifestError(offset: start, message: "tensor \(type) is \(type.byteCount) bytes, over the limit of \(Manifest.Limits.maxTensorBytes)")
        }
        guard declaredShape || type.dimensions == dimensions else {
            throw ManifestError(offset: start, message: "tensor shape is not canonical")
        }
        return type
    }

    mutating func arguments() throws(ManifestError) -> [Manifest.Argument] {
        var arguments: [Manifest.Argument] = []
        for _ in 0..<(try count()) {
            let key = try name("argument name")
            let value = try string()
            arguments.append(Manifest.Argument(key: key, value: value))
        }
        return arguments
    }
}
