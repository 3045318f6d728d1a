import WasmParser

/// The sections of a rune's WebAssembly module, as WasmKit's parser reads them: what
/// `rune inspect` lists, and the memory the module asks for when it is instantiated.
///
/// There is no WebAssembly reader of our own: sections, names and LEB128 numbers are read by
/// `WasmParser.Parser`, the streaming parser behind WasmKit's `parseWasm`, with the same
/// ``features``. Only the 8-byte header is looked at first, so that a file that is not
/// WebAssembly at all is named in a plain sentence.
///
/// Untrusted input: a `.rune` is read with at most `RuneLimits.maxRuneBytes` bytes, and WasmKit
/// 0.4.2 bounds the rest itself. Its `ParsingLimits` (at most 100,000 locals per function) are
/// internal and always on, and no count read from the file is allocated ahead of the bytes that
/// back it, so every vector is bounded by the file's size.
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

    /// What WasmKit accepts in a rune: its defaults, named once so that the module and the
    /// sections are read alike.
    static let features: WasmFeatureSet = .default

    static let names = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start",
                        "element", "code", "data", "data count", "tag"]

    /// Lists the sections of `bytes`, a module `parseWasm` accepted (of one it refused, the
    /// sections before the problem).
    init(_ bytes: [UInt8]) {
        var sections: [Section] = []
        _ = try? Self.walk(bytes) { section, _ in
            sections.append(section)
            return true
        }
        self.sections = sections
    }

    /// Refuses a file that is too short for a WebAssembly header, or whose header is not one.
    static func checkHeader(_ bytes: [UInt8]) throws(RuneError) {
        guard bytes.count >= 8 else {
            throw .malformed("the file is \(bytes.count) bytes long, too short for a WebAssembly module")
        }
        guard bytes[0..<4].elementsEqual([0x00, 0x61, 0x73, 0x6d]) else {
            throw .malformed("the file is not a WebAssembly module (it does not start with \\0asm)")
        }
        guard bytes[4..<8].elementsEqual([0x01, 0x00, 0x00, 0x00]) else {
            throw .malformed("unsupported WebAssembly version \(bytes[4])")
        }
    }

    /// Bytes of linear memory the module's memory section asks for at instantiation (its minimum
    /// pages × 64 KiB), or nil without a memory section. Parses only the sections up to it.
    static func initialMemoryBytes(_ bytes: [UInt8]) -> UInt64? {
        var result: UInt64?
        _ = try? walk(bytes) { section, payload in
            if case .memorySection(let memories) = payload, let first = memories.first {
                let (total, overflow) = first.type.min.multipliedReportingOverflow(by: 65536)
                result = overflow ? .max : total
            }
            // Custom sections may come anywhere; the standard ones come in order.
            return section.id == 0 || section.id < 5
        }
        return result
    }

    /// Why WasmKit's parser could not read `bytes`, when it is that a section runs past the end
    /// of the file; nil otherwise (the parser's own message then says what is wrong).
    static func truncation(in bytes: [UInt8]) -> String? {
        let source = Source(bytes)
        var start = 0
        do {
            try walk(source, { _, _ in true }, sectionStart: { start = $0 })
            return nil
        } catch {
            guard source.ranPastEnd, start >= 8, start < bytes.count else { return nil }
            return "section \(name(bytes[start])) at byte \(start) runs past the end of the file, \(bytes.count) bytes long (the file is truncated)"
        }
    }

    static func name(_ id: UInt8) -> String {
        Int(id) < names.count ? names[Int(id)] : "unknown(\(id))"
    }

    /// Gives each section of `bytes` and what WasmKit parsed of it to `visit`, in file order,
    /// while `visit` returns true.
    static func walk(_ bytes: [UInt8], _ visit: (Section, ParsingPayload) -> Bool) throws(WasmParserError) {
        try walk(Source(bytes), visit, sectionStart: { _ in })
    }

    private static func walk(_ source: Source, _ visit: (Section, ParsingPayload) -> Bool,
                             sectionStart: (Int) -> Void) throws(WasmParserError) {
        let bytes = source.bytes
        var parser = Parser(stream: source, features: features)
        while true {
            let start = parser.offset
            sectionStart(start)
            guard let payload = try parser.parseNext() else { return }
            if case .header = payload { continue }
            // The section's id, then its size as a LEB128 number (which the parser has read and
            // checked): the content starts after the size's last byte, the first without bit 7.
            var content = start + 1
            while bytes[content] & 0x80 != 0 { content += 1 }
            content += 1
            let id = bytes[start]
            let name = if case .customSection(let custom) = payload { custom.name } else { Self.name(id) }
            guard visit(Section(id: id, name: name, size: parser.offset - content, offset: content), payload) else { return }
        }
    }

    /// The file's bytes for WasmKit's parser, noting whether it asked for bytes past the end.
    private final class Source: ByteStreamSource {
        let bytes: [UInt8]
        private(set) var ranPastEnd = false

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func readByte(at offset: Int) throws(WasmParserError) -> UInt8? {
            guard offset < bytes.count else {
                ranPastEnd = true
                return nil
            }
            return bytes[offset]
        }

        func readBytes(from startOffset: Int, to endOffset: Int) throws(WasmParserError) -> ArraySlice<UInt8>? {
            guard endOffset <= bytes.count else {
                ranPastEnd = true
                return nil
            }
            return bytes[startOffset..<endOffset]
        }
    }
}
