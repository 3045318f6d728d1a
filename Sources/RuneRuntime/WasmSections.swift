/// The sections of a WebAssembly module, read without validating the module: enough to tell
/// a rune from other files and to report sizes.
public struct WasmSections: Sendable {
    public struct Section: Sendable, Equatable {
        public var id: UInt8
        /// The custom section's name, or the standard section's name.
        public var name: String
        /// Bytes of the section's content.
        public var size: Int
        /// Where the content starts in the file.
        public var offset: Int
    }

    public var sections: [Section]

    static let names = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start",
                        "element", "code", "data", "data count", "tag"]

    /// Lists the sections of `bytes`, checking the header and every length.
    public init(_ bytes: [UInt8]) throws(RuneError) {
        guard bytes.count >= 8 else {
            throw .malformed("the file is \(bytes.count) bytes long, too short for a WebAssembly module")
        }
        guard Array(bytes[0..<4]) == [0x00, 0x61, 0x73, 0x6d] else {
            throw .malformed("the file is not a WebAssembly module (it does not start with \\0asm)")
        }
        guard Array(bytes[4..<8]) == [0x01, 0x00, 0x00, 0x00] else {
            throw .malformed("unsupported WebAssembly version \(bytes[4])")
        }
        var offset = 8
        var sections: [Section] = []
        while offset < bytes.count {
            let id = bytes[offset]
            offset += 1
            let size = try WasmSections.uleb(bytes, &offset)
            guard size <= bytes.count - offset else {
                throw .malformed("section \(WasmSections.name(id)) at byte \(offset) claims \(size) bytes but only \(bytes.count - offset) remain (the file is truncated)")
            }
            var name = WasmSections.name(id)
            let start = offset
            if id == 0 {
                var cursor = offset
                let length = try WasmSections.uleb(bytes, &cursor)
                guard length <= start + size - cursor else { throw .malformed("custom section name at byte \(cursor) is truncated") }
                name = String(decoding: bytes[cursor..<cursor + length], as: UTF8.self)
            }
            sections.append(Section(id: id, name: name, size: size, offset: start))
            offset = start + size
        }
        self.sections = sections
    }

    /// The payload of the custom section `name` (after its name), if present.
    public func customSection(_ name: String, in bytes: [UInt8]) -> [UInt8]? {
        guard let section = sections.first(where: { $0.id == 0 && $0.name == name }) else { return nil }
        var cursor = section.offset
        guard let length = try? WasmSections.uleb(bytes, &cursor) else { return nil }
        let start = cursor + length
        return Array(bytes[start..<section.offset + section.size])
    }

    /// Bytes of linear memory the module's memory section asks for at instantiation (its minimum
    /// pages × 64 KiB), or nil without a memory section or when it cannot be read (the module
    /// parser then reports the problem).
    public func initialMemoryBytes(in bytes: [UInt8]) -> UInt64? {
        guard let section = sections.first(where: { $0.id == 5 }) else { return nil }
        var cursor = section.offset
        guard let count = try? WasmSections.uleb(bytes, &cursor), count >= 1, cursor < bytes.count else { return nil }
        cursor += 1   // flags: whether a maximum follows, shared, memory64
        guard let pages = try? WasmSections.uleb64(bytes, &cursor) else { return nil }
        let (total, overflow) = pages.multipliedReportingOverflow(by: 65536)
        return overflow ? .max : total
    }

    static func uleb64(_ bytes: [UInt8], _ offset: inout Int) throws(RuneError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .malformed("unexpected end of file at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw .malformed("malformed integer at byte \(offset - 1)") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    static func name(_ id: UInt8) -> String {
        Int(id) < names.count ? names[Int(id)] : "unknown(\(id))"
    }

    static func uleb(_ bytes: [UInt8], _ offset: inout Int) throws(RuneError) -> Int {
        var result = 0
        var shift = 0
        while true {
            guard offset < bytes.count else { throw .malformed("unexpected end of file at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 35 else { throw .malformed("malformed length at byte \(offset - 1)") }
            result |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }
}
