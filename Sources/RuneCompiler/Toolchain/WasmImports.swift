/// Reads the import section of a WebAssembly module: what it asks its host for.
enum WasmImports {
    struct Import: Equatable {
        var module: String
        var name: String
        /// 0 function, 1 table, 2 memory, 3 global.
        var kind: UInt8
    }

    /// Every import, or nil when `module` is not well-formed enough to tell.
    static func imports(of module: [UInt8]) -> [Import]? {
        var reader = Reader(bytes: module)
        guard module.count >= 8, Array(module.prefix(4)) == [0x00, 0x61, 0x73, 0x6d] else { return nil }
        reader.offset = 8
        var result: [Import] = []
        while reader.offset < module.count {
            guard let id = reader.byte(), let size = reader.uleb(), size <= UInt64(module.count - reader.offset) else {
                return nil
            }
            let end = reader.offset + Int(size)
            if id == 2 {
                guard let count = reader.uleb() else { return nil }
                for _ in 0..<count {
                    guard let moduleName = reader.name(), let name = reader.name(), let kind = reader.byte() else { return nil }
                    switch kind {
                    case 0: guard reader.uleb() != nil else { return nil }
                    case 1: guard reader.byte() != nil, reader.limits() else { return nil }
                    case 2: guard reader.limits() else { return nil }
                    case 3: guard reader.byte() != nil, reader.byte() != nil else { return nil }
                    default: return nil
                    }
                    result.append(Import(module: moduleName, name: name, kind: kind))
                }
                guard reader.offset == end else { return nil }
            }
            reader.offset = end
        }
        return result
    }

    /// Every import of any kind; runes import only functions.
    static func functionImports(of module: [UInt8]) -> [Import]? { imports(of: module) }

    private struct Reader {
        var bytes: [UInt8]
        var offset = 0

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uleb() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = byte() {
                guard shift < 64 else { return nil }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }

        mutating func name() -> String? {
            guard let length = uleb(), length <= UInt64(bytes.count - offset) else { return nil }
            defer { offset += Int(length) }
            return String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
        }

        mutating func limits() -> Bool {
            guard let flags = byte(), uleb() != nil else { return false }
            return flags & 1 == 0 || uleb() != nil
        }
    }
}
